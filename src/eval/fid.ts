/**
 * eval/fid.ts — Fréchet distance between two sets of image features (FID when the features come
 * from a fixed image encoder: here the retriever's image tower, `Retriever.embedImages`).
 *
 * Each set is summarised as a Gaussian N(μ, C) (mean and unbiased covariance, divisor N − 1) and
 *
 *   d² = ‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2·tr (C₁C₂)^{1/2}
 *
 * (Fréchet/2-Wasserstein distance between Gaussians: Dowson & Landau 1982; FID: Heusel et al.
 * 2017, "GANs Trained by a Two Time-Scale Update Rule…", as computed by pytorch-fid). C₁C₂ is not
 * symmetric, so instead of a general matrix square root we use the similar symmetric PSD matrix
 * S·C₂·S with S = C₁^{1/2}: both have the same eigenvalues λᵢ ≥ 0, hence
 * tr (C₁C₂)^{1/2} = Σ √λᵢ(S C₂ S). Both square roots come from a Float64 symmetric
 * eigendecomposition (linalg.ts), tiny negative eigenvalues from rounding are clamped to 0, and
 * no matrix is ever inverted, so singular covariances are fine.
 *
 * Small samples: FID is a biased estimator — its expected value exceeds the population FID by a
 * term ∝ 1/N (Bińkowski et al. 2018 §2; Chong & Forsyth 2020, "Effectively Unbiased FID"), and
 * with N ≤ D the covariances are rank-deficient. Numbers from different N are not comparable and
 * nowhere near the paper's FID-30K. At our sample sizes (tens to hundreds of images against
 * D = 256 features) report KID (kid.ts), which is unbiased, and treat FID as secondary.
 */
import { sameDim, toMatrix, type FeatureRows, type Matrix } from './features.js';
import { matmulSquare, sqrtPsd, symmetricEigen, symmetrize } from './linalg.js';

/** Mean and covariance of one feature set: reusable, e.g. for a fixed reference set. */
export interface GaussianStats {
  /** Number of samples the statistics were computed from. */
  readonly n: number;
  /** Feature dimension D. */
  readonly dim: number;
  /** μ, D entries. */
  readonly mean: Float64Array;
  /** Unbiased covariance (divisor n − 1), row-major D×D. */
  readonly cov: Float64Array;
}

/** The terms of the Fréchet distance, for reports and debugging. */
export interface FrechetParts {
  /** The distance d² (clamped at 0; it is a squared distance). */
  readonly fid: number;
  /** ‖μ₁ − μ₂‖². */
  readonly meanTerm: number;
  /** tr C₁ + tr C₂ − 2·tr (C₁C₂)^{1/2}. */
  readonly covTerm: number;
}

function statsOf(m: Matrix): GaussianStats {
  const { rows: n, cols: D, data } = m;
  const mean = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let c = 0; c < D; c++) mean[c] += data[r * D + c];
  for (let c = 0; c < D; c++) mean[c] /= n;
  const cov = new Float64Array(D * D), x = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < D; c++) x[c] = data[r * D + c] - mean[c];
    for (let i = 0; i < D; i++) {
      const xi = x[i], row = i * D;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) cov[row + j] += xi * x[j];
    }
  }
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      const v = cov[i * D + j] / (n - 1);
      cov[i * D + j] = v; cov[j * D + i] = v;
    }
  }
  return { n, dim: D, mean, cov };
}

/** μ and the unbiased covariance of a feature set (at least 2 vectors, all of one length, finite). */
export function featureStats(features: FeatureRows, name = 'features'): GaussianStats {
  return statsOf(toMatrix(features, name, 2));
}

function checkStats(s: GaussianStats, name: string): void {
  const D = s.dim;
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`${name}.dim must be an integer >= 1, got ${D}`);
  if (s.mean.length !== D) throw new RangeError(`${name}.mean has ${s.mean.length} entries, expected dim = ${D}`);
  if (s.cov.length !== D * D) throw new RangeError(`${name}.cov has ${s.cov.length} entries, expected dim² = ${D * D}`);
  for (const [what, v] of [['mean', s.mean], ['cov', s.cov]] as const) {
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RangeError(`${name}.${what}[${bad}] is ${v[bad]}`);
  }
}

/** Fréchet distance between two Gaussians given by their statistics, with its two terms. */
export function frechetParts(a: GaussianStats, b: GaussianStats): FrechetParts {
  checkStats(a, 'a');
  checkStats(b, 'b');
  if (a.dim !== b.dim) throw new RangeError(`feature dimensions differ: a has ${a.dim}, b has ${b.dim}`);
  const D = a.dim;
  let meanTerm = 0, trA = 0, trB = 0;
  for (let i = 0; i < D; i++) {
    const diff = a.mean[i] - b.mean[i];
    meanTerm += diff * diff;
    trA += a.cov[i * D + i];
    trB += b.cov[i * D + i];
  }
  const S = sqrtPsd(symmetrize(a.cov.slice(), D), D);
  const M = symmetrize(matmulSquare(matmulSquare(S, symmetrize(b.cov.slice(), D), D), S, D), D);
  let trSqrt = 0;
  for (const lambda of symmetricEigen(M, D, false).values) trSqrt += Math.sqrt(Math.max(lambda, 0));
  const covTerm = trA + trB - 2 * trSqrt;
  return { fid: Math.max(0, meanTerm + covTerm), meanTerm, covTerm };
}

/** Fréchet distance between two Gaussians given by their statistics. */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  return frechetParts(a, b).fid;
}

/**
 * FID between two feature sets (N×D and M×D rows, N, M >= 2, same D). Biased for small N — see
 * the file header; prefer `kid` when N is in the hundreds or fewer.
 */
export function fid(real: FeatureRows, generated: FeatureRows): number {
  const a = toMatrix(real, 'real', 2), b = toMatrix(generated, 'generated', 2);
  sameDim(a, b, 'real', 'generated');
  return frechetDistance(statsOf(a), statsOf(b));
}
