/** KID: a hand-computed MMD², ≈ 0 for one distribution, > 0 for shifted ones, seeded determinism. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kid } from '../../src/eval/kid.js';
import { Rng } from '../../src/tensor/random.js';

function gaussianRows(n: number, D: number, rng: Rng, shift = 0): Float32Array[] {
  return Array.from({ length: n }, () => Float32Array.from({ length: D }, (_, d) => (d === 0 ? shift : 0) + rng.normal()));
}

test('kid of tiny 1-D sets equals the hand-computed unbiased MMD²', () => {
  // D = 1 so k(x, y) = (x·y + 1)³. X = {0, 1}, Y = {1, 2}, m = 2 (the whole sets, so std = 0):
  // XX off-diagonal: 2·k(0,1) = 2 → /2 = 1; YY: 2·k(1,2) = 54 → /2 = 27;
  // XY: k(0,1)+k(0,2)+k(1,1)+k(1,2) = 1+1+8+27 = 37 → 2·37/4 = 18.5. MMD² = 1 + 27 − 18.5 = 9.5.
  const r = kid([[0], [1]], [[1], [2]], { subsets: 3 });
  assert.equal(r.subsetSize, 2);
  assert.ok(Math.abs(r.mean - 9.5) < 1e-12, `${r.mean}`);
  assert.equal(r.std, 0);
  assert.deepEqual(Array.from(r.values), [9.5, 9.5, 9.5]);
});

test('kid is ≈ 0 for two samples of one distribution and clearly > 0 for a shifted one', () => {
  const rng = new Rng(42), D = 16;
  const x = gaussianRows(400, D, rng), y = gaussianRows(400, D, rng), z = gaussianRows(400, D, rng, 1);
  const same = kid(x, y, { seed: 1 }), shifted = kid(x, z, { seed: 1 });
  assert.equal(same.subsetSize, 100);
  assert.ok(Math.abs(same.mean) <= 3 * same.std, `same: ${same.mean} ± ${same.std}`);
  // (std is the spread of single-subset estimates, not a standard error; at m = 100 it is large.)
  assert.ok(shifted.mean > 3 * shifted.std && shifted.mean > 5 * same.std, `shifted: ${shifted.mean} ± ${shifted.std}`);
  assert.ok(kid(x, gaussianRows(400, D, rng, 2), { seed: 1 }).mean > shifted.mean, 'a larger shift gives a larger KID');
});

test('kid is deterministic by seed; another seed draws other subsets', () => {
  const rng = new Rng(9);
  const x = gaussianRows(150, 8, rng), y = gaussianRows(120, 8, rng, 0.5);
  const a = kid(x, y, { seed: 3, subsets: 5, subsetSize: 50 }), b = kid(x, y, { seed: 3, subsets: 5, subsetSize: 50 });
  assert.deepEqual(a, b);
  const c = kid(x, y, { seed: 4, subsets: 5, subsetSize: 50 });
  assert.notDeepEqual(Array.from(c.values), Array.from(a.values));
  assert.equal(kid(x, y, { subsetSize: 1000 }).subsetSize, 120, 'subset size capped at min(N, M)');
});

test('kid kernel options: degree, gamma and coef0 are honoured (hand-computed linear kernel)', () => {
  // k(x, y) = 1·x·y + 5. X = {(1,0), (3,0)}, Y = {(0,0), (0,2)}:
  // XX' = 2·k = 2·(3 + 5) = 16 → /2 = 8; YY' = 2·(0 + 5) = 10 → /2 = 5; XY: four pairs with x·y = 0,
  // Σk = 20 → 2·20/4 = 10. MMD² = 8 + 5 − 10 = 3.
  const r = kid([[1, 0], [3, 0]], [[0, 0], [0, 2]], { degree: 1, gamma: 1, coef0: 5 });
  assert.ok(Math.abs(r.mean - 3) < 1e-12, `${r.mean}`);
});

test('kid refuses bad inputs and options', () => {
  const ok = [[1, 2], [3, 4], [5, 6]];
  assert.throws(() => kid([[1, 2]], ok), /real needs at least 2 feature vectors, got 1/);
  assert.throws(() => kid(ok, [[1], [2]]), /feature dimensions differ/);
  assert.throws(() => kid(ok, [[1, Infinity], [2, 3]]), /generated\[0\]\[1\] is Infinity/);
  assert.throws(() => kid(ok, ok, { subsets: 0 }), /subsets must be an integer >= 1, got 0/);
  assert.throws(() => kid(ok, ok, { subsetSize: 1 }), /subsetSize must be an integer >= 2, got 1/);
  assert.throws(() => kid(ok, ok, { gamma: -1 }), /gamma must be a finite number > 0/);
  assert.throws(() => kid(ok, ok, { degree: 2.5 }), /degree must be an integer >= 1/);
  assert.throws(() => kid(ok, ok, { seed: NaN }), /seed must be a finite number/);
});
