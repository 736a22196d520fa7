/**
 * Finite-difference gradient check in float64 for the tensor engine's autograd.
 *
 * For leaf inputs x_1..x_n (f64, owning contiguous storage) and a function fn(x) returning one or
 * more tensors y_k, the checked loss is L = sum_k sum(y_k * R_k) with fixed random f64 tensors R_k
 * (so every output element matters). The analytic gradient comes from backward(L); the numeric one
 * from the central difference (L(x + h e_i) - L(x - h e_i)) / 2h, evaluated under noGrad for every
 * element of every input. An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
 * Shared by the test/tensor/gradcheck_*.test.ts files, with their small helpers (constant, gradOf).
 */
import assert from 'node:assert/strict';
import {
  add, backward, mul, noGrad, randn, Rng, sum, tapeLength, tidy, Tensor, type Shape,
} from '../../src/tensor/index.js';

export type Outputs = Tensor | readonly Tensor[];

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6). */
  h?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance on |numeric| (default 1e-5). */
  rtol?: number;
  /** Seed of the output weights R (default 12345). */
  seed?: number;
  /** Allow an input whose numeric gradient is identically 0 (default false: that would make the check vacuous). */
  allowZero?: boolean;
}

export interface Mismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
  err: number;
  allowed: number;
}

export interface GradCheckResult {
  /** Number of input elements compared. */
  checked: number;
  /** Largest |analytic - numeric| over all elements. */
  maxAbsErr: number;
  /** Largest err / allowed ratio (<= 1 means pass). */
  worstRatio: number;
  failures: Mismatch[];
  /** Analytic gradients, one per input (copies). */
  analytic: Float64Array[];
  /** Numeric gradients, one per input. */
  numeric: Float64Array[];
}

function list(o: Outputs): Tensor[] {
  return o instanceof Tensor ? [o] : [...o];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** An f64 leaf tensor of N(0, 1) values, mapped elementwise by `map`, with requiresGrad set. */
export function leaf(shape: Shape, seed: number, map?: (v: number, i: number) => number): Tensor {
  const t = randn(shape, { rng: new Rng(seed), dtype: 'f64' });
  if (map) for (let i = 0; i < t.host.length; i++) t.host[i] = map(t.host[i], i);
  t.requiresGrad = true;
  return t;
}

/** Maps v away from 0: sign(v) * (margin + |v|). For kinks at 0 (relu, abs) and denominators. */
export const awayFromZero = (margin = 0.1) => (v: number): number => (v < 0 ? -1 : 1) * (margin + Math.abs(v));

/** Maps v to a positive value margin + |v| (log, sqrt). */
export const positive = (margin = 0.2) => (v: number): number => margin + Math.abs(v);

/** An f64 leaf whose values are a random permutation of an evenly spaced grid (all distinct). */
export function distinctLeaf(shape: Shape, seed: number, spacing = 0.05): Tensor {
  const t = leaf(shape, seed);
  const n = t.data.length;
  const rng = new Rng(seed + 1);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
  for (let i = 0; i < n; i++) t.host[i] = (perm[i] - n / 2) * spacing;
  return t;
}

/** A constant f64 tensor (no grad). */
export function constant(shape: number[], seed: number, map?: (v: number, i: number) => number): Tensor {
  const t = randn(shape, { rng: new Rng(seed), dtype: 'f64' });
  if (map) for (let i = 0; i < t.host.length; i++) t.host[i] = map(t.host[i], i);
  return t;
}

/** The gradient of a leaf (asserting it exists); sidesteps TS narrowing `.grad` to null after a reset. */
export function gradOf(t: Tensor): Tensor {
  const g = t.grad;
  assert.ok(g, 'expected a gradient');
  return g;
}

/**
 * Runs the check and returns the detailed result (does not assert). `inputs` are the leaves to
 * differentiate; anything else fn uses is a constant. Leaves get requiresGrad = true and their
 * .grad is reset to null before and after.
 */
export function gradcheckResult(fn: () => Outputs, inputs: readonly Tensor[], opts: GradCheckOptions = {}): GradCheckResult {
  const h = opts.h ?? 1e-6, atol = opts.atol ?? 1e-6, rtol = opts.rtol ?? 1e-5;
  for (const x of inputs) {
    if (x.dtype !== 'f64') throw new TypeError(`gradcheck: inputs must be f64, got ${x.dtype}`);
    if (x.base !== null || x.offset !== 0 || !x.isContiguous()) throw new TypeError('gradcheck: inputs must be owning leaves');
    x.requiresGrad = true;
    x.grad = null;
  }
  // Output shapes, then the fixed weights R (created outside any tidy scope so they live on).
  const shapes = tidy(() => noGrad(() => list(fn()).map((o) => [...o.shape])));
  const rng = new Rng(opts.seed ?? 12345);
  const R = shapes.map((s) => randn(s, { rng, dtype: 'f64' }));
  const Rflat = R.map((r) => Float64Array.from(r.flat()));

  // Analytic: L = sum_k sum(y_k * R_k); backward inside the scope (tidy drops the tape on exit).
  tidy(() => {
    const outs = list(fn());
    if (outs.length === 0) throw new Error('gradcheck: fn returned no outputs');
    let L = sum(mul(outs[0], R[0]));
    for (let k = 1; k < outs.length; k++) L = add(L, sum(mul(outs[k], R[k])));
    backward(L);
  });
  if (tapeLength() !== 0) throw new Error(`gradcheck: tape not cleared after backward (${tapeLength()} nodes)`);
  const analytic = inputs.map((x) => {
    if (!x.grad) return new Float64Array(x.size);
    if (x.grad.size !== x.size || x.grad.shape.join() !== x.shape.join()) {
      throw new Error(`gradcheck: grad shape [${x.grad.shape}] differs from input [${x.shape}]`);
    }
    return Float64Array.from(x.grad.flat());
  });
  for (const x of inputs) x.grad = null;

  // Numeric: central differences, every element of every input.
  const lossAt = (): number => tidy(() => noGrad(() => {
    const outs = list(fn());
    let s = 0;
    outs.forEach((o, k) => { s += dot(o.flat(), Rflat[k]); });
    return s;
  }));
  const numeric = inputs.map((x) => {
    const g = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const orig = x.host[i];
      x.host[i] = orig + h;
      const lp = lossAt();
      x.host[i] = orig - h;
      const lm = lossAt();
      x.host[i] = orig;
      g[i] = (lp - lm) / (2 * h);
    }
    return g;
  });

  const failures: Mismatch[] = [];
  let maxAbsErr = 0, worstRatio = 0, checked = 0;
  inputs.forEach((_, j) => {
    for (let i = 0; i < analytic[j].length; i++) {
      const a = analytic[j][i], n = numeric[j][i];
      const err = Math.abs(a - n), allowed = atol + rtol * Math.abs(n);
      checked++;
      maxAbsErr = Math.max(maxAbsErr, err);
      worstRatio = Math.max(worstRatio, err / allowed);
      if (!(err <= allowed)) failures.push({ input: j, index: i, analytic: a, numeric: n, err, allowed });
    }
  });
  return { checked, maxAbsErr, worstRatio, failures, analytic, numeric };
}

/** Asserts the gradient check passes; the error lists the first mismatches. */
export function gradcheck(name: string, fn: () => Outputs, inputs: readonly Tensor[], opts: GradCheckOptions = {}): GradCheckResult {
  const r = gradcheckResult(fn, inputs, opts);
  if (process.env.GRADCHECK_VERBOSE) {
    console.log(`gradcheck ${name}: ${r.checked} elements, max |diff| ${r.maxAbsErr.toExponential(2)}, ` +
      `worst diff/allowed ${r.worstRatio.toFixed(4)}`);
  }
  if (!opts.allowZero) {
    r.numeric.forEach((g, j) => {
      if (g.every((v) => v === 0)) throw new Error(`gradcheck ${name}: input ${j} has an all-zero numeric gradient (vacuous check)`);
    });
  }
  if (r.failures.length > 0) {
    const lines = r.failures.slice(0, 8).map((f) =>
      `  input ${f.input} [${f.index}]: analytic ${f.analytic.toExponential(6)} numeric ${f.numeric.toExponential(6)} ` +
      `|diff| ${f.err.toExponential(2)} > ${f.allowed.toExponential(2)}`);
    throw new Error(`gradcheck ${name}: ${r.failures.length}/${r.checked} elements differ ` +
      `(max |diff| ${r.maxAbsErr.toExponential(2)})\n${lines.join('\n')}`);
  }
  return r;
}
