/** Symmetric eigendecomposition, PSD square root and matrix product against reconstructions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmulSquare, sqrtPsd, symmetricEigen } from '../../src/eval/linalg.js';
import { Rng } from '../../src/tensor/random.js';

/** Random SPD matrix B·Bᵀ + shift·I (n×n). */
function randomSpd(n: number, rng: Rng, shift = 1e-3): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** V·diag(values)·Vᵀ and Vᵀ·V. */
function reconstruct(values: Float64Array, V: Float64Array, n: number): { a: Float64Array; gram: Float64Array } {
  const a = new Float64Array(n * n), gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, g = 0;
      for (let k = 0; k < n; k++) { s += V[i * n + k] * values[k] * V[j * n + k]; g += V[k * n + i] * V[k * n + j]; }
      a[i * n + j] = s; gram[i * n + j] = g;
    }
  }
  return { a, gram };
}

const identity = (n: number) => Float64Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));

test('symmetricEigen reconstructs random SPD matrices; V is orthonormal; values ascending and positive', () => {
  const rng = new Rng(7);
  for (const n of [1, 2, 3, 5, 17, 40]) {
    const a = randomSpd(n, rng), before = a.slice();
    const { values, vectors } = symmetricEigen(a, n);
    assert.deepEqual(a, before, 'input untouched');
    const V = vectors as Float64Array;
    const { a: back, gram } = reconstruct(values, V, n);
    assert.ok(maxDiff(back, a) <= 1e-10 * maxAbs(a), `n=${n}: reconstruction error ${maxDiff(back, a)}`);
    assert.ok(maxDiff(gram, identity(n)) <= 1e-12, `n=${n}: VᵀV - I = ${maxDiff(gram, identity(n))}`);
    for (let k = 1; k < n; k++) assert.ok(values[k - 1] <= values[k], `n=${n}: ascending`);
    assert.ok(values[0] > 0, `n=${n}: SPD has positive eigenvalues`);
    const only = symmetricEigen(a, n, false);
    assert.equal(only.vectors, undefined);
    assert.ok(maxDiff(only.values, values) <= 1e-10 * maxAbs(values), `n=${n}: values-only path agrees`);
  }
});

test('symmetricEigen: diagonal, repeated, zero and indefinite matrices', () => {
  assert.deepEqual(Array.from(symmetricEigen(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3).values), [-1, 2, 3]);
  const I = symmetricEigen(identity(4), 4);
  assert.deepEqual(Array.from(I.values), [1, 1, 1, 1]);
  assert.ok(maxDiff(reconstruct(I.values, I.vectors as Float64Array, 4).a, identity(4)) <= 1e-15);
  assert.deepEqual(Array.from(symmetricEigen(new Float64Array(9), 3).values), [0, 0, 0]);
  // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
  const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  assert.ok(maxDiff(values, [1, 3]) <= 1e-15);
  const V = vectors as Float64Array;
  assert.ok(Math.abs(Math.abs(V[0]) - Math.SQRT1_2) < 1e-15 && Math.abs(V[0] + V[2]) < 1e-15, 'first column ∝ (1, −1)');
  assert.ok(Math.abs(V[1] - V[3]) < 1e-15, 'second column ∝ (1, 1)');
  // Rank-1 (singular) 3×3: u·uᵀ has eigenvalues 0, 0, ‖u‖².
  const u = [1, 2, 2], r1 = Float64Array.from({ length: 9 }, (_, i) => u[Math.floor(i / 3)] * u[i % 3]);
  assert.ok(maxDiff(symmetricEigen(r1, 3).values, [0, 0, 9]) <= 1e-14);
});

test('sqrtPsd squares back to the matrix, including a singular one', () => {
  const rng = new Rng(3);
  const a = randomSpd(12, rng);
  const s = sqrtPsd(a, 12);
  assert.ok(maxDiff(matmulSquare(s, s, 12), a) <= 1e-10 * maxAbs(a));
  // Covariance-like rank-deficient matrix: B·Bᵀ with B 6×2.
  const b = Float64Array.from({ length: 12 }, () => rng.normal());
  const low = new Float64Array(36);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) low[i * 6 + j] = b[i * 2] * b[j * 2] + b[i * 2 + 1] * b[j * 2 + 1];
  const sl = sqrtPsd(low, 6);
  assert.ok(sl.every(Number.isFinite));
  assert.ok(maxDiff(matmulSquare(sl, sl, 6), low) <= 1e-10 * maxAbs(low));
});

test('matmulSquare matches a hand product', () => {
  assert.deepEqual(Array.from(matmulSquare(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2)), [19, 22, 43, 50]);
});

test('symmetricEigen refuses bad input', () => {
  assert.throws(() => symmetricEigen(new Float64Array(3), 2), /expected 2×2 = 4 entries, got 3/);
  assert.throws(() => symmetricEigen(new Float64Array(0), 0), /n must be an integer >= 1/);
  assert.throws(() => symmetricEigen(Float64Array.from([1, 2, 3, 4]), 2), /not symmetric at \(1, 0\)/);
  assert.throws(() => symmetricEigen(Float64Array.from([1, NaN, NaN, 1]), 2), /entry \(0, 1\) is NaN/);
});

test('symmetricEigen works at D = 256 (finite, ascending eigenvalues)', () => {
  const a = randomSpd(256, new Rng(1));
  const { values, vectors } = symmetricEigen(a, 256);
  assert.ok(values.every(Number.isFinite) && (vectors as Float64Array).every(Number.isFinite));
  for (let i = 1; i < 256; i++) assert.ok(values[i] >= values[i - 1]);
});
