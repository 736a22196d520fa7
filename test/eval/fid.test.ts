/** FID against closed forms: identical sets, diagonal Gaussians, non-commuting 2×2 covariances. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureStats, fid, frechetDistance, frechetParts, type GaussianStats } from '../../src/eval/fid.js';
import { Rng } from '../../src/tensor/random.js';

/** Σ_d (μ1−μ2)² + σ1² + σ2² − 2σ1σ2: FID of two Gaussians with diagonal covariances. */
const diagonalFid = (m1: number[], s1: number[], m2: number[], s2: number[]) =>
  m1.reduce((acc, _, d) => acc + (m1[d] - m2[d]) ** 2 + s1[d] ** 2 + s2[d] ** 2 - 2 * s1[d] * s2[d], 0);

/**
 * 2D points whose sample mean is exactly μ and unbiased sample covariance exactly diag(σ²):
 * μ ± aᵢ·eᵢ for each axis i, with aᵢ = σᵢ·√((2D − 1)/2) (2D points, divisor 2D − 1).
 */
function exactDiagonal(mu: number[], sigma: number[]): Float64Array[] {
  const D = mu.length, out: Float64Array[] = [];
  for (let i = 0; i < D; i++) {
    for (const sign of [1, -1]) {
      const p = Float64Array.from(mu);
      p[i] += sign * sigma[i] * Math.sqrt((2 * D - 1) / 2);
      out.push(p);
    }
  }
  return out;
}

/** Applies the same random orthogonal map (Gram–Schmidt of a Gaussian matrix) to every row. */
function rotate(rows: Float64Array[], rng: Rng): Float64Array[] {
  const D = rows[0].length, Q: Float64Array[] = [];
  for (let k = 0; k < D; k++) {
    const v = Float64Array.from({ length: D }, () => rng.normal());
    for (const q of Q) { let d = 0; for (let i = 0; i < D; i++) d += v[i] * q[i]; for (let i = 0; i < D; i++) v[i] -= d * q[i]; }
    const norm = Math.hypot(...v);
    Q.push(v.map((x) => x / norm));
  }
  return rows.map((r) => Float64Array.from(Q, (q) => q.reduce((s, x, i) => s + x * r[i], 0)));
}

function randomRows(n: number, D: number, rng: Rng, mean = 0, scale = 1): Float32Array[] {
  return Array.from({ length: n }, () => Float32Array.from({ length: D }, () => mean + scale * rng.normal()));
}

test('FID of a set with itself is 0 (also with N < D, a singular covariance)', () => {
  const rng = new Rng(1);
  for (const [n, D] of [[50, 8], [20, 64]]) {
    const x = randomRows(n, D, rng);
    const parts = frechetParts(featureStats(x), featureStats(x));
    assert.ok(parts.fid >= 0 && parts.fid < 1e-9, `N=${n}, D=${D}: ${parts.fid}`);
    assert.equal(parts.meanTerm, 0);
  }
});

test('FID of exact diagonal Gaussians equals the closed form, and is invariant under a rotation', () => {
  const m1 = [0, 1, -2, 0.5], s1 = [1, 2, 0.5, 3];
  const m2 = [1, 1, 0, -0.5], s2 = [2, 0.5, 0.5, 1];
  const want = diagonalFid(m1, s1, m2, s2);
  const a = exactDiagonal(m1, s1), b = exactDiagonal(m2, s2);
  assert.ok(Math.abs(fid(a, b) - want) <= 1e-10 * want, `${fid(a, b)} vs ${want}`);
  const parts = frechetParts(featureStats(a), featureStats(b));
  assert.ok(Math.abs(parts.meanTerm - 1 - 4 - 1) < 1e-12, 'mean term Σ(μ1−μ2)² = 6');
  const rng = new Rng(5), seed = rng.nextU32();
  const ra = rotate(a, new Rng(seed)), rb = rotate(b, new Rng(seed));
  assert.ok(Math.abs(fid(ra, rb) - want) <= 1e-9 * want, `rotated: ${fid(ra, rb)} vs ${want}`);
});

test('FID of large Gaussian samples approaches the population closed form', () => {
  const rng = new Rng(11), n = 4000;
  const m1 = [0, 0, 0], s1 = [1, 1, 2], m2 = [1, 0, -1], s2 = [2, 1, 1];
  const draw = (m: number[], s: number[]) => Array.from({ length: n }, () => Float64Array.from(m, (mu, d) => mu + s[d] * rng.normal()));
  const want = diagonalFid(m1, s1, m2, s2); // 2 + 1 + 0 + 1 + 1 = 5
  const got = fid(draw(m1, s1), draw(m2, s2));
  assert.ok(Math.abs(got - want) < 0.25, `${got} vs ${want}`);
});

test('frechetDistance matches tr√(C1C2) = √(tr(C1C2) + 2√(det C1 det C2)) for non-commuting 2×2 covariances', () => {
  const c1 = [2, 0.8, 0.8, 1], c2 = [1, -0.3, -0.3, 3];
  const stats = (mean: number[], cov: number[]): GaussianStats =>
    ({ n: 100, dim: 2, mean: Float64Array.from(mean), cov: Float64Array.from(cov) });
  const t = c1[0] * c2[0] + c1[1] * c2[2] + c1[2] * c2[1] + c1[3] * c2[3];
  const det = (c: number[]) => c[0] * c[3] - c[1] * c[2];
  const trSqrt = Math.sqrt(t + 2 * Math.sqrt(det(c1) * det(c2)));
  const want = (1 - 0) ** 2 + (2 - 1) ** 2 + (c1[0] + c1[3]) + (c2[0] + c2[3]) - 2 * trSqrt;
  const got = frechetDistance(stats([1, 2], c1), stats([0, 1], c2));
  assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`);
  assert.ok(Math.abs(frechetDistance(stats([0, 1], c2), stats([1, 2], c1)) - want) < 1e-12, 'symmetric in its arguments');
});

test('featureStats: unbiased covariance of a hand example', () => {
  const s = featureStats([[0, 0], [2, 0], [1, 3]]);
  assert.deepEqual(Array.from(s.mean), [1, 1]);
  // deviations (−1,−1), (1,−1), (0,2): Σxx = 2, Σxy = 0, Σyy = 6; divide by n − 1 = 2.
  assert.deepEqual(Array.from(s.cov), [1, 0, 0, 3]);
});

test('FID works at the retriever feature size (D = 256, N = 300)', () => {
  const rng = new Rng(2);
  const x = randomRows(300, 256, rng), y = randomRows(300, 256, rng, 0.1);
  const d = fid(x, y);
  assert.ok(Number.isFinite(d) && d > 0);
  assert.ok(fid(x, x) < 1e-6 * d, 'a set against itself is ~0');
});

test('fid refuses bad inputs with RangeErrors naming them', () => {
  const ok = [[1, 2], [3, 4]];
  assert.throws(() => fid([], ok), (e: unknown) => e instanceof RangeError && /real needs at least 2/.test(e.message));
  assert.throws(() => fid(ok, [[1, 2]]), /generated needs at least 2 feature vectors, got 1/);
  assert.throws(() => fid(ok, [[1, 2, 3], [4, 5, 6]]), /feature dimensions differ: real has 2.*generated has 3/);
  assert.throws(() => fid([[1, 2], [3]], ok), /real\[1\] has 1 entries, real\[0\] has 2/);
  assert.throws(() => fid(ok, [[1, NaN], [3, 4]]), /generated\[0\]\[1\] is NaN/);
  assert.throws(() => fid([[], []], [[], []]), /real\[0\] is empty/);
  const s = featureStats(ok);
  assert.throws(() => frechetDistance(s, { ...s, cov: new Float64Array(3) }), /b\.cov has 3 entries, expected dim² = 4/);
});
