/**
 * Shared helpers of the backend conformance suite (../conformance.case.ts): the per-family NMSE
 * budgets (TOL), input generators (randn, uniform, nanFilled; W and C copies), the comparison
 * assertions (expectNmse, expectExact, expectClose, expectThrows, expectBadInput), the
 * CONFORMANCE_REPORT collector, and the context the op-family modules register their tests with.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../../src/backend/backend.js';
import type { Rng } from '../../../src/tensor/random.js';

/** Max NMSE per op family, vs the float64 truth. Rationale: the header of ../conformance.case.ts. */
export const TOL = {
  /** Data movement (copy, gather): bit-exact, so also checked elementwise; measured 0. */
  copy: 1e-10,
  /** One rounding per element (affine, binary, copy +=, scatter-add of a few terms): ~eps^2/3 ~ 1e-15. */
  rounding: 1e-12,
  /** Elementwise transcendentals: vexp ~2 ulp, GELU's tanh ~1e-7 absolute; measured <= 7e-14. */
  unary: 1e-11,
  /** Reductions (sum over <= 1e5 terms, sumSquares): worst case (n eps)^2; measured <= 1e-14. */
  reduce: 1e-10,
  /** GEMM with k <= 200: the deterministic worst case (k eps)^2 ~ 1.4e-10; measured <= 6.4e-14. */
  gemm: 1e-10,
  /** Softmax / log-softmax forward and backward (n <= 5000 float sums); measured <= 1.6e-14. */
  softmax: 1e-10,
  /** LayerNorm / RMSNorm forward and backward (row sums, dw/db sums over rows); measured <= 1.8e-14. */
  norm: 1e-10,
  /**
   * Fused attention forward and backward (GEMM, softmax, GEMM; backward recomputes P from lse, and
   * dS = P (dP - D) cancels); measured <= 6.4e-13 (peaked scores).
   */
  attention: 1e-9,
  /** Cross-entropy forward (lse, row loss) and backward; measured <= 2.4e-15. */
  crossEntropy: 1e-11,
  /** AdamW: 3 steps of float32 state vs the float64 formula; measured <= 5e-14. */
  adamw: 1e-12,
  /**
   * vqNearest distance, computed as |x|^2 - 2 x.c + |c|^2 in float32, cancels when x ~ c (absolute
   * error ~ eps (|x|^2 + |c|^2), checked elementwise too); measured 1.7e-7.
   */
  vqDist: 1e-5,
} as const;

// ------------------------------------------------------------------------------------------------
// Suite context

/** test() as the suite registers it: runs as `todo` when the title is a known bug of the backend. */
export type It = (title: string, fn: () => void) => void;

/** What each op-family module (cases/*.ts) registers its describe/it blocks with. */
export interface SuiteContext {
  /** The backend under test: created in the suite's before hook, so read it inside tests only. */
  readonly be: Backend;
  readonly it: It;
}

// ------------------------------------------------------------------------------------------------
// Helpers

type Arr = ArrayLike<number>;

/** CONFORMANCE_REPORT=1: collect every measured NMSE / max elementwise error; the suite prints them after the run. */
export const REPORT = process.env.CONFORMANCE_REPORT === '1';
export const measured: string[] = [];

/** Float64 copy holding the same values: the input of the truth computation. */
export const W = (x: Float32Array): Float64Array => Float64Array.from(x);
/** Fresh float32 copy (kernels may write in place). */
export const C = (x: Float32Array): Float32Array => x.slice();

export function randn(rng: Rng, n: number, scale = 1, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
}

export function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

export function nanFilled(n: number): Float32Array {
  return new Float32Array(n).fill(NaN);
}

function cls(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+inf' : v === -Infinity ? '-inf' : 'finite';
}

function fmtNum(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(9) : String(v);
}

/** Assert NMSE(got, want) <= thr; returns the measured NMSE. */
export function expectNmse(what: string, got: Arr, want: Arr, thr: number): number {
  assert.equal(got.length, want.length, `${what}: length ${got.length} != ${want.length}`);
  let err = 0, ref = 0, worst = -1, worstErr = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i], wf = Math.fround(w);
    if (!Number.isFinite(wf) || !Number.isFinite(g)) {
      if (cls(g) !== cls(wf)) {
        assert.fail(`${what}: element ${i} is ${fmtNum(g)}, truth ${fmtNum(w)} (float32 ${fmtNum(wf)})`);
      }
      continue;
    }
    const d = (g - w) * (g - w);
    err += d;
    ref += w * w;
    if (d > worstErr) { worstErr = d; worst = i; }
  }
  const nmse = ref === 0 ? (err === 0 ? 0 : Infinity) : err / ref;
  if (REPORT) measured.push(`${what.padEnd(64)} NMSE ${nmse.toExponential(2)}  (limit ${thr.toExponential(0)})`);
  assert.ok(nmse <= thr, `${what}: NMSE ${nmse.toExponential(3)} > ${thr.toExponential(1)}; worst element ${worst}: ` +
    `got ${fmtNum(got[worst])}, truth ${fmtNum(want[worst])}`);
  return nmse;
}

/** Elementwise: got[i] must equal the float32-rounded truth (NaN matches NaN; -0 matches 0). */
export function expectExact(what: string, got: Arr, want: Arr): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = Math.fround(want[i]);
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    assert.fail(`${what}: element ${i} is ${fmtNum(g)}, expected exactly ${fmtNum(w)} (truth ${fmtNum(want[i])})`);
  }
}

/** Elementwise: |got - truth| <= tol(i, truth) (non-finite classes must match the rounded truth). */
export function expectClose(what: string, got: Arr, want: Arr, tol: (i: number, w: number) => number): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} != ${want.length}`);
  let worstRatio = 0, worst = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i], wf = Math.fround(w);
    if (!Number.isFinite(wf) || !Number.isFinite(g)) {
      if (cls(g) !== cls(wf)) assert.fail(`${what}: element ${i} is ${fmtNum(g)}, truth ${fmtNum(w)}`);
      continue;
    }
    const t = tol(i, w), e = Math.abs(g - w);
    const ratio = e === 0 ? 0 : e / t;
    if (ratio > worstRatio) { worstRatio = ratio; worst = i; }
  }
  if (REPORT) measured.push(`${what.padEnd(64)} max err/tol ${worstRatio.toFixed(3)}`);
  assert.ok(worstRatio <= 1, `${what}: element ${worst} is ${fmtNum(got[worst])}, truth ${fmtNum(want[worst])}, ` +
    `error ${Math.abs(got[worst] - want[worst]).toExponential(3)} > tolerance ${tol(worst, want[worst]).toExponential(3)}`);
}

export function expectIntsEqual(what: string, got: Int32Array, want: Int32Array): void {
  assert.deepEqual(Array.from(got), Array.from(want), `${what}: indices differ`);
}

/** Asserts fn throws an Error whose message matches re (any Error subclass: native throws Error). */
export function expectThrows(what: string, fn: () => void, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
    assert.match(e.message, re, `${what}: unexpected message`);
    return true;
  }, `${what}: expected a throw`);
}

export const i32 = (...v: number[]): Int32Array => Int32Array.from(v);

/** Calls fn and asserts it throws an Error mentioning `needle` (the kernel + argument name). */
export function expectBadInput(needle: string, fn: () => void, type: new (...a: never[]) => Error = Error): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `${needle}: expected ${type.name}, got ${String(e)}`);
    assert.ok((e as Error).message.includes(needle), `${needle}: message "${(e as Error).message}" lacks "${needle}"`);
    return true;
  });
}
