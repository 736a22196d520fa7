/**
 * eval/kid.ts — Kernel Inception Distance (Bińkowski, Sutherland, Arbel & Gretton 2018,
 * "Demystifying MMD GANs", §2.3/Eq. 3 and their reference code; defaults as in torch-fidelity).
 *
 * KID is the unbiased estimator of the squared maximum mean discrepancy between the two feature
 * distributions under the cubic polynomial kernel
 *
 *   k(x, y) = (γ·x·y + c₀)^p,   γ = 1/D, c₀ = 1, p = 3,
 *
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (m(m−1)) − 2·Σ_{i,j} k(xᵢ,yⱼ) / m²,
 *
 * averaged over `subsets` random subsets of m = min(subsetSize, N, M) vectors drawn without
 * replacement from each set (seeded `Rng`, so the result is a pure function of its inputs).
 * Unlike FID it is unbiased at any m, which is why we report it at our small sample sizes. Being
 * unbiased it can come out slightly negative when the distributions match.
 *
 * `std` is the population standard deviation (ddof 0) of the per-subset estimates, as in the
 * reference code. When m equals both N and M every subset is the whole set and std is 0.
 * Scale: KID is not scale-invariant. With unit-norm features (our retriever) γ·x·y ∈ [−1/D, 1/D],
 * so values are far smaller than Inception-feature KIDs in the literature; compare only numbers
 * from the same extractor and kernel.
 */
import { Rng } from '../tensor/random.js';
import { sameDim, toMatrix, type FeatureRows, type Matrix } from './features.js';

/** Subsets averaged by default (the reference code uses 100 subsets of 1000 for 50k samples). */
export const KID_DEFAULT_SUBSETS = 10;
/** Default subset size; capped at min(N, M). */
export const KID_DEFAULT_SUBSET_SIZE = 100;
/** Polynomial kernel degree p of the KID paper. */
export const KID_DEFAULT_DEGREE = 3;
/** Kernel offset c₀ of the KID paper. */
export const KID_DEFAULT_COEF0 = 1;

export interface KidOptions {
  /** Number of random subsets averaged (integer >= 1). */
  subsets?: number;
  /** Vectors drawn from each set per subset (integer >= 2), capped at min(N, M). */
  subsetSize?: number;
  /** Seed of the subset sampler. Default 0. */
  seed?: number;
  /** Kernel degree p (integer >= 1). */
  degree?: number;
  /** Kernel scale γ (> 0). Default 1/D. */
  gamma?: number;
  /** Kernel offset c₀ (finite). */
  coef0?: number;
}

export interface KidResult {
  /** Mean of the per-subset unbiased MMD² estimates: the KID. */
  readonly mean: number;
  /** Population standard deviation of the per-subset estimates. */
  readonly std: number;
  /** The per-subset estimates. */
  readonly values: Float64Array;
  /** The subset size m actually used. */
  readonly subsetSize: number;
}

/** Indices of m distinct rows out of n (partial Fisher–Yates). */
function sampleRows(n: number, m: number, rng: Rng): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
  }
  return idx.slice(0, m);
}

/** Sum of k(aᵢ, bⱼ) over the chosen rows, skipping i = j when `offDiagonal` (a and b the same set). */
function kernelSum(a: Matrix, ia: Int32Array, b: Matrix, ib: Int32Array, offDiagonal: boolean,
  gamma: number, coef0: number, degree: number): number {
  const D = a.cols, A = a.data, B = b.data;
  let total = 0;
  for (let i = 0; i < ia.length; i++) {
    const ra = ia[i] * D;
    // For the same set k is symmetric: sum the strict lower triangle and double it.
    const jEnd = offDiagonal ? i : ib.length;
    for (let j = 0; j < jEnd; j++) {
      const rb = ib[j] * D;
      let dot = 0;
      for (let c = 0; c < D; c++) dot += A[ra + c] * B[rb + c];
      total += (gamma * dot + coef0) ** degree;
    }
  }
  return offDiagonal ? 2 * total : total;
}

function positiveInt(v: number, min: number, name: string): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`kid: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * KID between two feature sets (N×D and M×D rows, same D, N, M >= 2): mean and std of the
 * unbiased MMD² over random subsets. Deterministic given `seed`.
 */
export function kid(real: FeatureRows, generated: FeatureRows, options: KidOptions = {}): KidResult {
  const x = toMatrix(real, 'real', 2), y = toMatrix(generated, 'generated', 2);
  sameDim(x, y, 'real', 'generated');
  const D = x.cols;
  const subsets = positiveInt(options.subsets ?? KID_DEFAULT_SUBSETS, 1, 'subsets');
  const size = positiveInt(options.subsetSize ?? KID_DEFAULT_SUBSET_SIZE, 2, 'subsetSize');
  const degree = positiveInt(options.degree ?? KID_DEFAULT_DEGREE, 1, 'degree');
  const gamma = options.gamma ?? 1 / D, coef0 = options.coef0 ?? KID_DEFAULT_COEF0;
  if (!(gamma > 0) || !Number.isFinite(gamma)) throw new RangeError(`kid: gamma must be a finite number > 0, got ${gamma}`);
  if (!Number.isFinite(coef0)) throw new RangeError(`kid: coef0 must be finite, got ${coef0}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`kid: seed must be a finite number, got ${seed}`);
  const m = Math.min(size, x.rows, y.rows);
  const rng = new Rng(seed);
  const values = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    const ix = sampleRows(x.rows, m, rng), iy = sampleRows(y.rows, m, rng);
    const kxx = kernelSum(x, ix, x, ix, true, gamma, coef0, degree);
    const kyy = kernelSum(y, iy, y, iy, true, gamma, coef0, degree);
    const kxy = kernelSum(x, ix, y, iy, false, gamma, coef0, degree);
    values[s] = (kxx + kyy) / (m * (m - 1)) - (2 * kxy) / (m * m);
  }
  let mean = 0;
  for (const v of values) mean += v;
  mean /= subsets;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  return { mean, std: Math.sqrt(variance / subsets), values, subsetSize: m };
}
