/**
 * eval/linalg.ts — dense Float64 linear algebra for the image metrics: a symmetric eigensolver,
 * the PSD square root built on it, and a square matrix product. Matrices are row-major n×n
 * Float64Arrays.
 *
 * The eigensolver is Householder reduction to tridiagonal form followed by the implicit-shift QL
 * algorithm: EISPACK's tred2/tql2 (Wilkinson & Reinsch, "Handbook for Automatic Computation,
 * Vol. II: Linear Algebra", 1971), transcribed from the public-domain JAMA
 * `EigenvalueDecomposition` (NIST/MathWorks). O(n³); n = 256 takes a few tens of ms.
 */

/** Relative tolerance for "this matrix is symmetric" (the caller's products round differently). */
const SYMMETRY_RTOL = 1e-9;
/** Machine epsilon of float64: the QL deflation threshold, as in JAMA. */
const EPS = 2 ** -52;
/** QL sweeps allowed per eigenvalue before giving up (JAMA loops forever; a few suffice in practice). */
const MAX_QL_ITER = 100;

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Row-major n×n: column k (entries [i·n + k]) is the unit eigenvector of values[k]; absent when not asked for. */
  readonly vectors?: Float64Array;
}

function checkSquare(a: Float64Array, n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}: n must be an integer >= 1, got ${n}`);
  if (a.length !== n * n) throw new RangeError(`${name}: expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
}

/**
 * Eigendecomposition of the symmetric n×n matrix `a` (left untouched): A = V·diag(values)·Vᵀ.
 * With `vectors = false` only eigenvalues are computed (skips the O(n³) accumulation of V).
 * Refuses non-finite entries and matrices that are not symmetric to ~1e-9 relative.
 */
export function symmetricEigen(a: Float64Array, n: number, vectors = true): SymmetricEigen {
  checkSquare(a, n, 'symmetricEigen');
  let amax = 0;
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`symmetricEigen: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}`);
    amax = Math.max(amax, Math.abs(a[i]));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(a[i * n + j] - a[j * n + i]) > SYMMETRY_RTOL * amax) {
        throw new RangeError(`symmetricEigen: matrix is not symmetric at (${i}, ${j}): ${a[i * n + j]} vs ${a[j * n + i]}`);
      }
    }
  }
  const V: Float64Array[] = [];
  for (let i = 0; i < n; i++) V.push(a.slice(i * n, (i + 1) * n));
  const d = new Float64Array(n), e = new Float64Array(n);
  tred2(V, d, e, n, vectors);
  // tql2 rotates pairs of columns of V; work on W = Vᵀ so that those are contiguous rows.
  const W: Float64Array[] = [];
  if (vectors) for (let i = 0; i < n; i++) W.push(Float64Array.from(V, (row) => row[i]));
  tql2(W, d, e, n, vectors);
  const order = Array.from(d.keys()).sort((x, y) => d[x] - d[y]);
  const values = Float64Array.from(order, (k) => d[k]);
  if (!vectors) return { values };
  const out = new Float64Array(n * n);
  order.forEach((k, col) => { for (let i = 0; i < n; i++) out[i * n + col] = W[k][i]; });
  return { values, vectors: out };
}

/** Householder tridiagonalisation (EISPACK tred2): d ← diagonal, e ← subdiagonal, V ← transform. */
function tred2(V: Float64Array[], d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  for (let j = 0; j < n; j++) d[j] = V[n - 1][j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0; // scale to avoid under/overflow
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) { d[j] = V[i - 1][j]; V[i][j] = 0; V[j][i] = 0; }
    } else {
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1], g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j][i] = f;
        g = e[j] + V[j][j] * f;
        for (let k = j + 1; k <= i - 1; k++) { g += V[k][j] * d[k]; e[k] += V[k][j] * f; }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j]; g = e[j];
        for (let k = j; k <= i - 1; k++) V[k][j] -= f * e[k] + g * d[k];
        d[j] = V[i - 1][j];
        V[i][j] = 0;
      }
    }
    d[i] = h;
  }
  if (accumulate) {
    for (let i = 0; i < n - 1; i++) {
      V[n - 1][i] = V[i][i];
      V[i][i] = 1;
      const h = d[i + 1];
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = V[k][i + 1] / h;
        for (let j = 0; j <= i; j++) {
          let g = 0;
          for (let k = 0; k <= i; k++) g += V[k][i + 1] * V[k][j];
          for (let k = 0; k <= i; k++) V[k][j] -= g * d[k];
        }
      }
      for (let k = 0; k <= i; k++) V[k][i + 1] = 0;
    }
    for (let j = 0; j < n; j++) { d[j] = V[n - 1][j]; V[n - 1][j] = 0; }
    V[n - 1][n - 1] = 1;
  } else {
    // Without accumulation the diagonal still has to be read back from V (as in the block above).
    for (let j = 0; j < n; j++) d[j] = V[j][j];
  }
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e) (EISPACK tql2); W holds Vᵀ and is rotated alongside. */
function tql2(W: Float64Array[], d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > EPS * tst1) m++; // e[n-1] = 0 stops it at n-1
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITER) throw new Error(`symmetricEigen: QL did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l]; // implicit shift
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (accumulate) {
            const wi = W[i], wi1 = W[i + 1];
            for (let k = 0; k < n; k++) {
              const t = wi1[k];
              wi1[k] = s * wi[k] + c * t;
              wi[k] = c * wi[k] - s * t;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** C = A·B for row-major n×n matrices. */
export function matmulSquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'matmulSquare(a)');
  checkSquare(b, n, 'matmulSquare(b)');
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** (A + Aᵀ)/2 in place: removes the rounding asymmetry of products like S·C·S. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'symmetrize');
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = m; a[j * n + i] = m;
    }
  }
  return a;
}

/**
 * Principal square root of a symmetric positive semi-definite matrix: V·diag(√max(λ, 0))·Vᵀ.
 * Eigenvalues that rounding pushed slightly below zero are clamped to 0 (a covariance of N < D
 * samples is singular, so this is the normal case, not an error).
 */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n, true);
  const V = vectors as Float64Array;
  const root = Float64Array.from(values, (x) => Math.sqrt(Math.max(x, 0)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k] * root[k] * V[j * n + k];
      out[i * n + j] = s; out[j * n + i] = s;
    }
  }
  return out;
}
