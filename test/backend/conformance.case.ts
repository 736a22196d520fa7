/**
 * conformance.case.ts — one conformance suite for every Backend (in the style of hono's shared
 * router tests): each `*.test.ts` next to this file calls runBackendSuite with its backend.
 *
 * Every case feeds the backend under test float32 arrays and compares its outputs against the
 * "truth": the reference kernels (refBackend) run in float64 on Float64Array copies holding the
 * very same (float32-representable) values. The main metric is ggml's normalised MSE,
 *     NMSE = mse(got, truth) / mse(truth, 0) = sum (got - truth)^2 / sum truth^2,
 * computed over the elements where the float32-rounded truth is finite; non-finite elements must
 * match class exactly (NaN <-> NaN, +inf <-> +inf, -inf <-> -inf). Where exactness matters
 * (copies, gather, argmax, single correctly-rounded ops) there is an elementwise check too.
 *
 * Thresholds (TOL below). One float32 rounding of every output gives NMSE ~ eps^2/3 ~ 1e-15
 * (eps = 2^-24 ~ 6e-8); an n-term float32 sum has a deterministic worst case of ~(n eps)^2. Each
 * budget sits near that worst case for the sizes used here and 100-10000x above the largest value
 * measured on either backend (native/OpenBLAS and ref fed float32; vqDist ~60x), yet far below what
 * a real bug produces: a wrong stride, a dropped or doubled term, an ignored beta or weight all give
 * NMSE >= 1e-2, and even rounding probabilities to 5 decimals (a low-precision accumulation) trips the
 * softmax budget. Known disagreements would be listed in KNOWN_BUGS and run as `todo` (none now).
 *
 * Set CONFORMANCE_REPORT=1 to print every measured NMSE / max elementwise error after the run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { AttnShape, Backend, BTHD, FArray } from '../../src/backend/backend.js';
import { BinaryOp, ReduceOp, UnaryOp, type UnaryName } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { Rng } from '../../src/tensor/random.js';

/** Max NMSE per op family, vs the float64 truth. See the file comment for the rationale. */
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

/**
 * Known disagreements, by backend name and test title: these run as `todo` (reported, not failing)
 * until the kernel is fixed. Remove the entry once the test passes.
 */
const KNOWN_BUGS: Record<string, Record<string, string>> = {};

// ------------------------------------------------------------------------------------------------
// Helpers

type Arr = ArrayLike<number>;

const REPORT = process.env.CONFORMANCE_REPORT === '1';
const measured: string[] = [];

/** Float64 copy holding the same values: the input of the truth computation. */
const W = (x: Float32Array): Float64Array => Float64Array.from(x);
/** Fresh float32 copy (kernels may write in place). */
const C = (x: Float32Array): Float32Array => x.slice();

function randn(rng: Rng, n: number, scale = 1, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
}

function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

function nanFilled(n: number): Float32Array {
  return new Float32Array(n).fill(NaN);
}

function cls(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+inf' : v === -Infinity ? '-inf' : 'finite';
}

function fmtNum(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(9) : String(v);
}

/** Assert NMSE(got, want) <= thr; returns the measured NMSE. */
function expectNmse(what: string, got: Arr, want: Arr, thr: number): number {
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
function expectExact(what: string, got: Arr, want: Arr): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = Math.fround(want[i]);
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    assert.fail(`${what}: element ${i} is ${fmtNum(g)}, expected exactly ${fmtNum(w)} (truth ${fmtNum(want[i])})`);
  }
}

/** Elementwise: |got - truth| <= tol(i, truth) (non-finite classes must match the rounded truth). */
function expectClose(what: string, got: Arr, want: Arr, tol: (i: number, w: number) => number): void {
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

function expectIntsEqual(what: string, got: Int32Array, want: Int32Array): void {
  assert.deepEqual(Array.from(got), Array.from(want), `${what}: indices differ`);
}

/** Asserts fn throws an Error whose message matches re (any Error subclass: native throws Error). */
function expectThrows(what: string, fn: () => void, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
    assert.match(e.message, re, `${what}: unexpected message`);
    return true;
  }, `${what}: expected a throw`);
}

const i32 = (...v: number[]): Int32Array => Int32Array.from(v);

// ------------------------------------------------------------------------------------------------
// The suite

export function runBackendSuite(name: string, makeBackend: () => Backend): void {
  const known = KNOWN_BUGS[name] ?? {};
  /** test() that runs as todo when the title is a known bug of this backend. */
  const it = (title: string, fn: () => void): void => {
    const todo = known[title];
    test(title, todo ? { todo } : {}, fn);
  };

  describe(`backend conformance: ${name}`, () => {
    let be: Backend;
    before(() => { be = makeBackend(); });
    after(() => {
      if (REPORT && measured.length) {
        console.log(`\n# conformance measurements (${name})\n` + measured.map((l) => `#   ${l}`).join('\n'));
        measured.length = 0;
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('gemm', () => {
      interface GemmCase {
        m: number; n: number; k: number; ta: boolean; tb: boolean;
        padA?: number; padB?: number; padC?: number; aOff?: number; bOff?: number; cOff?: number;
        alpha?: number; beta?: number; batch?: number; gapA?: number; gapC?: number; sharedB?: boolean; sharedA?: boolean;
        cFill?: number;
      }

      function runGemm(title: string, g: GemmCase, seed: number): void {
        const rng = new Rng(seed);
        const { m, n, k, ta, tb } = g;
        const batch = g.batch ?? 1, alpha = g.alpha ?? 1, beta = g.beta ?? 0;
        const aOff = g.aOff ?? 0, bOff = g.bOff ?? 0, cOff = g.cOff ?? 0;
        // Stored A is (ta ? k x m : m x k) with leading dim lda >= its width, same for B.
        const aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        const lda = aCols + (g.padA ?? 0), ldb = bCols + (g.padB ?? 0), ldc = n + (g.padC ?? 0);
        const sA = g.sharedA ? 0 : aRows * lda + (g.gapA ?? 0);
        const sB = g.sharedB ? 0 : bRows * ldb + 3;
        const sC = m * ldc + (g.gapC ?? 0);
        const A = randn(rng, aOff + (batch - 1) * sA + aRows * lda);
        const B = randn(rng, bOff + (batch - 1) * sB + bRows * ldb);
        const C0 = g.cFill !== undefined ? new Float32Array(cOff + (batch - 1) * sC + m * ldc).fill(g.cFill)
          : randn(rng, cOff + (batch - 1) * sC + m * ldc);
        const got = C(C0), want = W(C0);
        be.gemm(A, aOff, B, bOff, got, cOff, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC);
        refBackend.gemm(W(A), aOff, W(B), bOff, want, cOff, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC);
        // Written region vs truth; everything else must be untouched.
        const written = new Uint8Array(C0.length);
        const gr: number[] = [], wr: number[] = [];
        for (let p = 0; p < batch; p++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const ci = cOff + p * sC + i * ldc + j;
              written[ci] = 1;
              gr.push(got[ci]);
              wr.push(want[ci]);
            }
          }
        }
        expectNmse(`gemm ${title}`, gr, wr, TOL.gemm);
        for (let i = 0; i < C0.length; i++) {
          if (!written[i] && !Object.is(got[i], C0[i])) assert.fail(`gemm ${title}: wrote outside C's view at ${i}`);
        }
      }

      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const tag = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`;
        it(`${tag} 37x19x23, padded lda/ldb/ldc, offsets`, () => {
          runGemm(`${tag} 37x19x23 padded`, { m: 37, n: 19, k: 23, ta, tb, padA: 3, padB: 5, padC: 7, aOff: 2, bOff: 1, cOff: 4 },
            100 + Number(ta) * 2 + Number(tb));
        });
        it(`${tag} alpha=0.7, beta=-1.25 accumulates into C`, () => {
          runGemm(`${tag} alpha/beta`, { m: 13, n: 29, k: 17, ta, tb, padA: 1, padB: 2, padC: 3, alpha: 0.7, beta: -1.25 },
            110 + Number(ta) * 2 + Number(tb));
        });
      }
      it('1x1x1', () => {
        runGemm('1x1x1', { m: 1, n: 1, k: 1, ta: false, tb: false }, 120);
        runGemm('1x1x1 TT beta', { m: 1, n: 1, k: 1, ta: true, tb: true, alpha: 2, beta: 0.5 }, 121);
      });
      it('odd vector shapes (1xNxK, Mx1xK, MxNx1)', () => {
        runGemm('1x31x7', { m: 1, n: 31, k: 7, ta: false, tb: true }, 122);
        runGemm('31x1x7', { m: 31, n: 1, k: 7, ta: true, tb: false }, 123);
        runGemm('17x13x1', { m: 17, n: 13, k: 1, ta: false, tb: false, padC: 2 }, 124);
      });
      it('beta = 0 ignores NaN already in C', () => {
        runGemm('beta=0 NaN C', { m: 9, n: 11, k: 5, ta: false, tb: false, cFill: NaN }, 125);
      });
      it('batch 3 with gaps between matrices and strideB = 0 (shared weights)', () => {
        runGemm('batch3 sharedB NT', { m: 11, n: 7, k: 13, ta: false, tb: true, batch: 3, sharedB: true, gapA: 5, gapC: 2, padC: 1, beta: 1 }, 126);
        runGemm('batch3 sharedB TN', { m: 11, n: 7, k: 13, ta: true, tb: false, batch: 3, sharedB: true, gapA: 1, gapC: 4 }, 127);
      });
      it('batch 2 with strideA = 0 and offsets', () => {
        runGemm('batch2 sharedA', { m: 6, n: 10, k: 4, ta: false, tb: false, batch: 2, sharedA: true, aOff: 3, bOff: 2, cOff: 1 }, 128);
      });
      it('300x200x100 (threaded split along M)', () => {
        runGemm('300x200x100 NN', { m: 300, n: 200, k: 100, ta: false, tb: false }, 129);
        runGemm('300x200x100 TN beta', { m: 300, n: 200, k: 100, ta: true, tb: false, padA: 3, padC: 5, alpha: 0.5, beta: 2 }, 130);
      });
      it('100x300x200 (threaded split along N)', () => {
        runGemm('100x300x200 NT', { m: 100, n: 300, k: 200, ta: false, tb: true, padB: 1, padC: 9 }, 131);
      });
      it('batch 4 of 300x200x100 (concurrent GEMMs)', () => {
        runGemm('batch4 300x200x100', { m: 300, n: 200, k: 100, ta: false, tb: true, batch: 4, gapA: 7, gapC: 3 }, 132);
      });
      it('gemm: lda/ldb smaller than the row width when there is one row', () => {
        // With m = 1 (and k = 1 for B) the leading dims are never used to step to a second row, so any
        // value satisfies the Backend contract; the tensor layer only guarantees ld >= max(width, 1).
        const A = Float32Array.of(1, 2, 3), B = Float32Array.of(1, 2, 3, 4, 5, 6);
        const got = new Float32Array(2).fill(NaN), want = new Float64Array(2);
        be.gemm(A, 0, B, 0, got, 0, 1, 2, 3, false, false, 0, 2, 2, 1, 0, 1, 0, 0, 0);
        refBackend.gemm(W(A), 0, W(B), 0, want, 0, 1, 2, 3, false, false, 0, 2, 2, 1, 0, 1, 0, 0, 0);
        expectExact('gemm m=1 lda=0', got, want);
      });
      it('gemm: k = 0 gives C = beta * C', () => {
        const C0 = Float32Array.of(1, 2, 3, 4), got = C(C0), want = W(C0);
        be.gemm(new Float32Array(4), 0, new Float32Array(4), 0, got, 0, 2, 2, 0, false, false, 1, 2, 2, 1, 0.5, 1, 0, 0, 0);
        refBackend.gemm(new Float64Array(4), 0, new Float64Array(4), 0, want, 0, 2, 2, 0, false, false, 1, 2, 2, 1, 0.5, 1, 0, 0, 0);
        expectExact('gemm k=0', got, want);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('unary', () => {
      /** Inputs hitting the edges: signed zeros, tiny, overflow/underflow of exp, huge, NaN, ±inf. */
      const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 5, -5, 10, -10, 15, -15,
        20, -20, 30, -30, 50, -50, 80, -80, 87, -87, 88, 88.3, 88.37, 89, 100, -87.5, -88, -89, -100, -103, -104, -120,
        1e4, -1e4, 1e13, -1e13, 1e20, -1e20, 3.4e38, -3.4e38];
      const N = 70000; // > 2 * the native parallel grain
      const rng = new Rng(7);
      const x = new Float32Array(N + SPECIAL.length);
      x.set(randn(rng, N, 3));
      for (let i = 0; i < 64; i++) x[i] = (i - 32) * 0.25; // a fine grid around 0
      x.set(SPECIAL, N);

      /** Elementwise tolerance per op: |got - truth| <= rtol |truth| + atol + xtol |x|. */
      const ELEM: Record<UnaryName, { rtol: number; atol: number; xtol: number }> = {
        neg: { rtol: 0, atol: 0, xtol: 0 },
        abs: { rtol: 0, atol: 0, xtol: 0 },
        relu: { rtol: 0, atol: 0, xtol: 0 },
        sqrt: { rtol: 6e-8, atol: 0, xtol: 0 }, // correctly rounded: half an ulp
        log: { rtol: 2.5e-7, atol: 0, xtol: 0 },
        tanh: { rtol: 2.5e-7, atol: 0, xtol: 0 },
        // vexp: ~2 ulp, flushes results below float32's normal range (|y| < 1.2e-38) to 0.
        exp: { rtol: 3.6e-7, atol: 1.2e-38, xtol: 0 },
        sigmoid: { rtol: 4.8e-7, atol: 1.2e-38, xtol: 0 },
        silu: { rtol: 6e-7, atol: 0, xtol: 1.2e-38 },
        // GELU's tanh has ~1e-7 absolute error, so 0.5 x (1 + tanh) is off by ~|x| 1e-7 where 1 + tanh cancels.
        gelu: { rtol: 6e-7, atol: 0, xtol: 2.4e-7 },
      };

      for (const [opName, op] of Object.entries(UnaryOp) as [UnaryName, number][]) {
        it(`${opName} forward (random, grid, NaN/±inf, huge |x|)`, () => {
          const got = nanFilled(x.length), want = new Float64Array(x.length);
          be.unary(op, x, got, x.length);
          refBackend.unary(op, W(x), want, x.length);
          // NMSE over the random part (huge specials would dominate the norm); elementwise over everything.
          expectNmse(`unary ${opName}`, got.subarray(0, N), want.subarray(0, N), TOL.unary);
          const t = ELEM[opName];
          if (t.rtol === 0 && t.atol === 0 && t.xtol === 0) expectExact(`unary ${opName}`, got, want);
          else expectClose(`unary ${opName} elementwise`, got, want, (i, w) => t.rtol * Math.abs(w) + t.atol + t.xtol * Math.abs(x[i]));
        });
        it(`${opName} backward`, () => {
          const r = new Rng(300 + op);
          const n = 5000;
          const xb = opName === 'log' || opName === 'sqrt' ? uniform(r, n, 0.05, 20) : randn(r, n, 3);
          if (opName !== 'log' && opName !== 'sqrt') { xb[0] = 0; xb[1] = -0; xb[2] = 12; xb[3] = -12; }
          const y64 = new Float64Array(n);
          refBackend.unary(op, W(xb), y64, n);
          const y = Float32Array.from(y64); // the saved forward output is an input: same values for both
          const dy = randn(r, n);
          const got = nanFilled(n), want = new Float64Array(n);
          be.unaryBackward(op, xb, y, dy, got, n);
          refBackend.unaryBackward(op, W(xb), W(y), W(dy), want, n);
          expectNmse(`unaryBackward ${opName}`, got, want, TOL.unary);
          if (opName === 'neg' || opName === 'relu' || opName === 'abs') expectExact(`unaryBackward ${opName}`, got, want);
        });
      }
      it('exp does not overflow below log(FLT_MAX) (88.38 < x <= 88.72)', () => {
        const xs = Float32Array.of(88.38, 88.5, 88.7, 88.72), got = nanFilled(4), want = new Float64Array(4);
        be.unary(UnaryOp.exp, xs, got, 4);
        refBackend.unary(UnaryOp.exp, W(xs), want, 4);
        expectClose('unary exp near FLT_MAX', got, want, (_i, w) => 3.6e-7 * Math.abs(w));
      });
      it('unaryBackward with large n (threaded)', () => {
        const n = 70000, r = new Rng(320);
        const xb = randn(r, n, 2), dy = randn(r, n);
        const y64 = new Float64Array(n);
        refBackend.unary(UnaryOp.silu, W(xb), y64, n);
        const y = Float32Array.from(y64);
        const got = nanFilled(n), want = new Float64Array(n);
        be.unaryBackward(UnaryOp.silu, xb, y, dy, got, n);
        refBackend.unaryBackward(UnaryOp.silu, W(xb), W(y), W(dy), want, n);
        expectNmse('unaryBackward silu n=70000', got, want, TOL.unary);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('binary', () => {
      interface BinCase { shape: number[]; aLen: number; aOff: number; aS: number[]; bLen: number; bOff: number; bS: number[] }
      const cases: Record<string, BinCase> = {
        'same shape': { shape: [1000], aLen: 1000, aOff: 0, aS: [1], bLen: 1000, bOff: 0, bS: [1] },
        'row broadcast (7,33) op (33)': { shape: [7, 33], aLen: 231, aOff: 0, aS: [33, 1], bLen: 33, bOff: 0, bS: [0, 1] },
        'column broadcast (7,33) op (7,1)': { shape: [7, 33], aLen: 231, aOff: 0, aS: [33, 1], bLen: 7, bOff: 0, bS: [1, 0] },
        'scalar broadcast on the right': { shape: [5, 9], aLen: 45, aOff: 0, aS: [9, 1], bLen: 3, bOff: 2, bS: [0, 0] },
        'scalar broadcast on the left': { shape: [5, 9], aLen: 1, aOff: 0, aS: [0, 0], bLen: 45, bOff: 0, bS: [9, 1] },
        // a: a (6,5,4) buffer viewed as its (4,5,6) transpose, at offset 3; b: (4,1,6) broadcast over the middle, offset 2.
        '3-D mixed strides and offsets': { shape: [4, 5, 6], aLen: 123, aOff: 3, aS: [1, 4, 20], bLen: 26, bOff: 2, bS: [6, 0, 1] },
        'strided inner dim': { shape: [6, 10], aLen: 121, aOff: 1, aS: [20, 2], bLen: 31, bOff: 0, bS: [0, 3] },
        'large (300,256) with row broadcast (threaded)': { shape: [300, 256], aLen: 76800, aOff: 0, aS: [256, 1], bLen: 256, bOff: 0, bS: [0, 1] },
      };
      let seed = 400;
      for (const [title, c] of Object.entries(cases)) {
        const s = seed++;
        it(`${title}: add, sub, mul, div`, () => {
          const r = new Rng(s);
          const a = randn(r, c.aLen, 2), b = randn(r, c.bLen, 2, 0.5);
          const total = c.shape.reduce((p, d) => p * d, 1);
          for (const [opName, op] of Object.entries(BinaryOp)) {
            const got = nanFilled(total), want = new Float64Array(total);
            be.binary(op, a, c.aOff, i32(...c.aS), b, c.bOff, i32(...c.bS), got, i32(...c.shape));
            refBackend.binary(op, W(a), c.aOff, i32(...c.aS), W(b), c.bOff, i32(...c.bS), want, i32(...c.shape));
            // One correctly rounded float32 operation per element: bit-exact vs the rounded truth.
            expectExact(`binary ${opName} ${title}`, got, want);
            expectNmse(`binary ${opName} ${title}`, got, want, TOL.rounding);
          }
        });
      }
      it('division by zero gives ±inf / NaN; NaN and inf propagate', () => {
        const a = Float32Array.of(1, -1, 0, NaN, Infinity, -Infinity, 2, 3, Infinity, 5);
        const b = Float32Array.of(0, 0, 0, 0, 0, 0, -0, Infinity, Infinity, NaN);
        for (const [opName, op] of Object.entries(BinaryOp)) {
          const got = nanFilled(a.length), want = new Float64Array(a.length);
          be.binary(op, a, 0, i32(1), b, 0, i32(1), got, i32(a.length));
          refBackend.binary(op, W(a), 0, i32(1), W(b), 0, i32(1), want, i32(a.length));
          expectExact(`binary ${opName} specials`, got, want);
        }
        const got = nanFilled(3);
        be.binary(BinaryOp.div, Float32Array.of(1, -1, 1), 0, i32(1), Float32Array.of(0, 0, -0), 0, i32(1), got, i32(3));
        assert.deepEqual(Array.from(got), [Infinity, -Infinity, -Infinity]);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('affine', () => {
      it('alpha x + beta (threaded n, inexact alpha/beta)', () => {
        const r = new Rng(500), n = 70001;
        const x = randn(r, n, 3);
        for (const [alpha, beta] of [[0.7, -1.3], [-2.5, 0.1], [0, 3], [1, 0]]) {
          const got = nanFilled(n), want = new Float64Array(n);
          be.affine(x, got, n, alpha, beta);
          refBackend.affine(W(x), want, n, alpha, beta);
          expectNmse(`affine ${alpha},${beta}`, got, want, TOL.rounding);
        }
      });
      it('exact when alpha and beta are small powers of two; in place', () => {
        const r = new Rng(501), n = 1000;
        const x = randn(r, n);
        const got = C(x), want = new Float64Array(n);
        be.affine(got, got, n, 2, 0.5);
        refBackend.affine(W(x), want, n, 2, 0.5);
        expectExact('affine 2x+0.5 in place', got, want);
        const sp = Float32Array.of(NaN, Infinity, -Infinity), o = new Float32Array(3);
        be.affine(sp, o, 3, 2, 1);
        assert.ok(Number.isNaN(o[0]) && o[1] === Infinity && o[2] === -Infinity);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('copy', () => {
      function runCopy(what: string, srcLen: number, sOff: number, sS: number[], dstLen: number, dOff: number, dS: number[],
        shape: number[], acc: boolean, seed: number): void {
        const r = new Rng(seed);
        const src = randn(r, srcLen), dst0 = randn(r, dstLen, 3);
        const got = C(dst0), want = W(dst0);
        be.copy(src, sOff, i32(...sS), got, dOff, i32(...dS), i32(...shape), acc);
        refBackend.copy(W(src), sOff, i32(...sS), want, dOff, i32(...dS), i32(...shape), acc);
        // The whole destination (including the untouched gaps) is compared: exact for assignment and +=.
        expectExact(`copy ${what}`, got, want);
        expectNmse(`copy ${what}`, got, want, TOL.copy);
      }
      it('transpose (5,7) -> (7,5)', () => runCopy('transpose', 35, 0, [1, 7], 35, 0, [5, 1], [7, 5], false, 600));
      it('3-D permute with offsets, destination with gaps', () =>
        runCopy('3-D permute', 130, 4, [1, 4, 20], 200, 3, [40, 7, 1], [4, 5, 6], false, 601));
      it('accumulate = true (+=) through strided views', () => {
        runCopy('accumulate transpose', 35, 0, [1, 7], 40, 2, [5, 1], [7, 5], true, 602);
        runCopy('accumulate 3-D', 130, 4, [1, 4, 20], 200, 3, [40, 7, 1], [4, 5, 6], true, 603);
      });
      it('broadcast source (stride 0), as Linear copies its bias', () => {
        runCopy('broadcast bias', 9, 0, [0, 1], 45, 0, [9, 1], [5, 9], false, 604);
        runCopy('broadcast bias accumulate', 9, 0, [0, 1], 45, 0, [9, 1], [5, 9], true, 605);
      });
      it('binary and copy over a rank-0 (scalar) shape', () => {
        const e = new Int32Array(0);
        for (const [opName, op] of Object.entries(BinaryOp)) {
          const got = nanFilled(1), want = new Float64Array(1);
          be.binary(op, Float32Array.of(0, 3), 1, e, Float32Array.of(-2), 0, e, got, e);
          refBackend.binary(op, Float64Array.of(0, 3), 1, e, Float64Array.of(-2), 0, e, want, e);
          expectExact(`binary ${opName} rank 0`, got, want);
        }
        const got = Float32Array.of(1, 2), want = Float64Array.of(1, 2);
        be.copy(Float32Array.of(5, 6), 1, e, got, 1, e, e, true);
        refBackend.copy(Float64Array.of(5, 6), 1, e, want, 1, e, e, true);
        expectExact('copy rank 0', got, want);
      });
      it('large (300,256) strided (threaded)', () =>
        runCopy('large strided', 300 * 256, 0, [1, 256], 256 * 310, 5, [310, 1], [256, 300], true, 606));
    });

    // ---------------------------------------------------------------------------------------------
    describe('reduce', () => {
      const shapes: [number, number, number][] = [[1, 1000, 1], [13, 37, 1], [5, 17, 9], [1, 50, 300], [3, 1, 4],
        [400, 3, 64], [7000, 10, 1]];
      for (const [outer, n, inner] of shapes) {
        it(`sum and max/argmax over (${outer}, ${n}, ${inner})`, () => {
          const r = new Rng(700 + outer + n + inner);
          const x = randn(r, outer * n * inner, 2, 0.3);
          const m = outer * inner;
          const gs = nanFilled(m), ws = new Float64Array(m);
          be.reduce(ReduceOp.sum, x, outer, n, inner, gs, null);
          refBackend.reduce(ReduceOp.sum, W(x), outer, n, inner, ws, null);
          expectNmse(`reduce sum (${outer},${n},${inner})`, gs, ws, TOL.reduce);
          const gm = nanFilled(m), wm = new Float64Array(m), ga = new Int32Array(m).fill(-1), wa = new Int32Array(m);
          be.reduce(ReduceOp.max, x, outer, n, inner, gm, ga);
          refBackend.reduce(ReduceOp.max, W(x), outer, n, inner, wm, wa);
          expectExact(`reduce max (${outer},${n},${inner})`, gm, wm);
          expectIntsEqual(`reduce argmax (${outer},${n},${inner})`, ga, wa);
          const gm2 = nanFilled(m);
          be.reduce(ReduceOp.max, x, outer, n, inner, gm2, null);
          expectExact(`reduce max without argmax (${outer},${n},${inner})`, gm2, wm);
        });
      }
      it('NaN and ±inf: max of a row with NaN is NaN (argmax = first NaN); sums propagate', () => {
        const n = 5;
        const x = Float32Array.of(
          1, NaN, 3, NaN, 2, //  NaN in the middle
          NaN, 1, 2, 3, 4, //    NaN first
          -Infinity, -Infinity, -Infinity, -Infinity, -Infinity,
          1, Infinity, 2, 3, 4,
          1, Infinity, -Infinity, 0, 0, // sum NaN
          -1, -2, -0.5, -3, -0.5); //     ties: first index
        const rows = x.length / n;
        // The same rows as (rows, n, 1) and, transposed, as (1, n, rows).
        const xt = new Float32Array(x.length);
        for (let r = 0; r < rows; r++) for (let k = 0; k < n; k++) xt[k * rows + r] = x[r * n + k];
        for (const [xx, o, in_] of [[x, rows, 1], [xt, 1, rows]] as const) {
          const gm = nanFilled(rows), wm = new Float64Array(rows), ga = new Int32Array(rows), wa = new Int32Array(rows);
          be.reduce(ReduceOp.max, xx, o, n, in_, gm, ga);
          refBackend.reduce(ReduceOp.max, W(xx), o, n, in_, wm, wa);
          expectExact(`reduce max specials (${o},${n},${in_})`, gm, wm);
          expectIntsEqual(`reduce argmax specials (${o},${n},${in_})`, ga, wa);
          assert.ok(Number.isNaN(gm[0]) && Number.isNaN(gm[1]), 'max of a row containing NaN must be NaN');
          assert.deepEqual(Array.from(ga), [1, 0, 0, 1, 1, 2]);
          const gs = new Float32Array(rows), ws = new Float64Array(rows);
          be.reduce(ReduceOp.sum, xx, o, n, in_, gs, null);
          refBackend.reduce(ReduceOp.sum, W(xx), o, n, in_, ws, null);
          expectExact(`reduce sum specials (${o},${n},${in_})`, gs, ws);
        }
      });
      it('an empty axis throws', () => {
        expectThrows('reduce n=0', () => be.reduce(ReduceOp.sum, new Float32Array(4), 2, 0, 2, new Float32Array(4), null),
          /empty axis/);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('sumSquares', () => {
      it('random vectors of several lengths', () => {
        const r = new Rng(800);
        for (const n of [1, 5, 17, 1000, 100003]) {
          const x = randn(r, n + 3, 1.5, 0.2);
          const got = be.sumSquares(x, n), want = refBackend.sumSquares(W(x), n);
          expectNmse(`sumSquares n=${n}`, [got], [want], TOL.reduce);
        }
        assert.equal(be.sumSquares(new Float32Array(4), 0), 0);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('softmax', () => {
      for (const log of [false, true]) {
        const kind = log ? 'log-softmax' : 'softmax';
        for (const [rows, n] of [[50, 37], [3, 1], [2, 5000], [1000, 37]] as const) {
          it(`${kind} forward and backward (${rows}x${n})`, () => {
            const r = new Rng(900 + rows + n + Number(log));
            const x = randn(r, rows * n, 3);
            const got = nanFilled(rows * n), want = new Float64Array(rows * n);
            be.softmax(x, got, rows, n, log);
            refBackend.softmax(W(x), want, rows, n, log);
            expectNmse(`${kind} (${rows}x${n})`, got, want, TOL.softmax);
            const y = Float32Array.from(want), dy = randn(r, rows * n);
            const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
            be.softmaxBackward(y, dy, gdx, rows, n, log);
            refBackend.softmaxBackward(W(y), W(dy), wdx, rows, n, log);
            expectNmse(`${kind} backward (${rows}x${n})`, gdx, wdx, TOL.softmax);
          });
        }
        it(`${kind}: rows offset by ±1e4 (no overflow, full precision)`, () => {
          const n = 6;
          const x = Float32Array.of(
            1e4, 1e4 - 1, 1e4 - 2, 1e4 + 0.5, 1e4, 1e4 - 7, //  huge values: no overflow
            -1e4, -1e4 + 3, -1e4, -1e4 + 1, -1e4, -1e4, //     huge negative: no underflow to 0/0
            5e4, 5e4 + 2, 5e4 - 3, 5e4, 5e4 + 1, 5e4 - 1);
          const rows = x.length / n;
          const got = nanFilled(rows * n), want = new Float64Array(rows * n);
          be.softmax(x, got, rows, n, log);
          refBackend.softmax(W(x), want, rows, n, log);
          // x - max is exact here, so every output is computable to float32 precision.
          for (let rr = 0; rr < rows; rr++) {
            expectNmse(`${kind} offset row ${rr}`, got.subarray(rr * n, rr * n + n), want.subarray(rr * n, rr * n + n), TOL.softmax);
          }
        });
        it(`${kind}: -inf, NaN and +inf rows`, () => {
          const n = 6, I = Infinity;
          const x = Float32Array.of(
            0.5, -1, 2, 0, 1, 3, //                            an ordinary row
            1, 1, 1, 1, 1, 1, //                               uniform
            -I, -I, 3, -I, -I, -I, //                          one visible element: [0,0,1,0,0,0]
            -I, 2, -I, 2, -I, 0, //                            several -inf
            3e38, -3e38, 0, 1, 2, 3, //                        extreme float32 range
            1, NaN, 2, 3, 4, 5, //                             NaN row -> NaN
            -I, -I, -I, -I, -I, -I, //                         all -inf -> NaN (as PyTorch)
            0, 1, I, 2, 3, 4); //                              +inf -> NaN
          const rows = x.length / n;
          const got = new Float32Array(rows * n), want = new Float64Array(rows * n);
          be.softmax(x, got, rows, n, log);
          refBackend.softmax(W(x), want, rows, n, log);
          // Per row: the 3e38 row would dominate a global norm.
          for (let rr = 0; rr < rows; rr++) {
            expectNmse(`${kind} special row ${rr}`, got.subarray(rr * n, rr * n + n), want.subarray(rr * n, rr * n + n), TOL.softmax);
          }
          for (const rr of [5, 6, 7]) {
            assert.ok(got.subarray(rr * n, rr * n + n).every(Number.isNaN), `${kind}: row ${rr} must be all NaN`);
          }
          if (!log) assert.deepEqual(Array.from(got.subarray(2 * n, 3 * n)), [0, 0, 1, 0, 0, 0]);
          // Backward through the finite rows (and the rows with -inf log-probs / zero probabilities).
          const fr = 5, y = Float32Array.from(want.subarray(0, fr * n)), dy = randn(new Rng(950), fr * n);
          const gdx = nanFilled(fr * n), wdx = new Float64Array(fr * n);
          be.softmaxBackward(y, dy, gdx, fr, n, log);
          refBackend.softmaxBackward(W(y), W(dy), wdx, fr, n, log);
          expectNmse(`${kind} backward special rows`, gdx, wdx, TOL.softmax);
        });
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('layerNorm', () => {
      const variants = [['weight+bias', true, true], ['weight only', true, false], ['bias only', false, true],
        ['no affine', false, false]] as const;
      for (const [tag, hasW, hasB] of variants) {
        it(`forward and backward, ${tag} (48x160, threaded rows and columns)`, () => {
          const r = new Rng(1000 + Number(hasW) * 2 + Number(hasB));
          const rows = 48, n = 160, eps = 1e-5;
          const x = randn(r, rows * n, 2, 3); // non-zero mean
          const w = hasW ? randn(r, n, 0.5, 1) : null, b = hasB ? randn(r, n) : null;
          const got = nanFilled(rows * n), gm = nanFilled(rows), gr = nanFilled(rows);
          const want = new Float64Array(rows * n), wm = new Float64Array(rows), wr = new Float64Array(rows);
          be.layerNorm(x, w, b, got, gm, gr, rows, n, eps);
          refBackend.layerNorm(W(x), w && W(w), b && W(b), want, wm, wr, rows, n, eps);
          expectNmse(`layerNorm ${tag} out`, got, want, TOL.norm);
          expectNmse(`layerNorm ${tag} mean`, gm, wm, TOL.norm);
          expectNmse(`layerNorm ${tag} rstd`, gr, wr, TOL.norm);
          // Backward: mean/rstd are inputs (same values); dw/db start at ones and must be accumulated into.
          const mean = Float32Array.from(wm), rstd = Float32Array.from(wr), dy = randn(r, rows * n);
          const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
          const gdw = hasW ? new Float32Array(n).fill(1) : null, gdb = hasB ? new Float32Array(n).fill(1) : null;
          const wdw = hasW ? new Float64Array(n).fill(1) : null, wdb = hasB ? new Float64Array(n).fill(1) : null;
          be.layerNormBackward(x, w, mean, rstd, dy, gdx, gdw, gdb, rows, n);
          refBackend.layerNormBackward(W(x), w && W(w), W(mean), W(rstd), W(dy), wdx, wdw, wdb, rows, n);
          expectNmse(`layerNormBackward ${tag} dx`, gdx, wdx, TOL.norm);
          if (gdw && wdw) expectNmse(`layerNormBackward ${tag} dw (+= onto ones)`, gdw, wdw, TOL.norm);
          if (gdb && wdb) expectNmse(`layerNormBackward ${tag} db (+= onto ones)`, gdb, wdb, TOL.norm);
        });
      }
      it('backward with weight but no dw/db requested; small rows', () => {
        const r = new Rng(1010), rows = 3, n = 7;
        const x = randn(r, rows * n), w = randn(r, n), dy = randn(r, rows * n);
        const wm = new Float64Array(rows), wr = new Float64Array(rows);
        refBackend.layerNorm(W(x), W(w), null, new Float64Array(rows * n), wm, wr, rows, n, 1e-5);
        const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
        be.layerNormBackward(x, w, Float32Array.from(wm), Float32Array.from(wr), dy, gdx, null, null, rows, n);
        refBackend.layerNormBackward(W(x), W(w), wm.map(Math.fround), wr.map(Math.fround), W(dy), wdx, null, null, rows, n);
        expectNmse('layerNormBackward dx only', gdx, wdx, TOL.norm);
      });
      it('dw accumulates across calls (two backward passes)', () => {
        const r = new Rng(1011), rows = 4, n = 130;
        const x = randn(r, rows * n), w = randn(r, n), dy = randn(r, rows * n);
        const wm = new Float64Array(rows), wr = new Float64Array(rows);
        refBackend.layerNorm(W(x), W(w), null, new Float64Array(rows * n), wm, wr, rows, n, 1e-5);
        const mean = Float32Array.from(wm), rstd = Float32Array.from(wr);
        const gdw = new Float32Array(n).fill(1), gdb = new Float32Array(n).fill(1);
        const wdw = new Float64Array(n).fill(1), wdb = new Float64Array(n).fill(1);
        for (let pass = 0; pass < 2; pass++) {
          be.layerNormBackward(x, w, mean, rstd, dy, new Float32Array(rows * n), gdw, gdb, rows, n);
          refBackend.layerNormBackward(W(x), W(w), W(mean), W(rstd), W(dy), new Float64Array(rows * n), wdw, wdb, rows, n);
        }
        expectNmse('layerNormBackward dw twice', gdw, wdw, TOL.norm);
        expectNmse('layerNormBackward db twice', gdb, wdb, TOL.norm);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('rmsNorm', () => {
      for (const hasW of [true, false]) {
        const tag = hasW ? 'with weight' : 'no weight';
        it(`forward and backward, ${tag} (40x144)`, () => {
          const r = new Rng(1100 + Number(hasW));
          const rows = 40, n = 144, eps = 1e-6;
          const x = randn(r, rows * n, 2, 0.5), w = hasW ? randn(r, n, 0.3, 1) : null;
          const got = nanFilled(rows * n), gr = nanFilled(rows), want = new Float64Array(rows * n), wr = new Float64Array(rows);
          be.rmsNorm(x, w, got, gr, rows, n, eps);
          refBackend.rmsNorm(W(x), w && W(w), want, wr, rows, n, eps);
          expectNmse(`rmsNorm ${tag} out`, got, want, TOL.norm);
          expectNmse(`rmsNorm ${tag} rstd`, gr, wr, TOL.norm);
          const rstd = Float32Array.from(wr), dy = randn(r, rows * n);
          const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
          const gdw = hasW ? new Float32Array(n).fill(1) : null, wdw = hasW ? new Float64Array(n).fill(1) : null;
          be.rmsNormBackward(x, w, rstd, dy, gdx, gdw, rows, n);
          refBackend.rmsNormBackward(W(x), w && W(w), W(rstd), W(dy), wdx, wdw, rows, n);
          expectNmse(`rmsNormBackward ${tag} dx`, gdx, wdx, TOL.norm);
          if (gdw && wdw) expectNmse(`rmsNormBackward ${tag} dw (+= onto ones)`, gdw, wdw, TOL.norm);
        });
      }
      it('backward with weight, no dw; tiny rows', () => {
        const r = new Rng(1102), rows = 2, n = 3;
        const x = randn(r, rows * n), w = randn(r, n), dy = randn(r, rows * n);
        const wr = new Float64Array(rows);
        refBackend.rmsNorm(W(x), W(w), new Float64Array(rows * n), wr, rows, n, 1e-6);
        const rstd = Float32Array.from(wr);
        const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
        be.rmsNormBackward(x, w, rstd, dy, gdx, null, rows, n);
        refBackend.rmsNormBackward(W(x), W(w), W(rstd), W(dy), wdx, null, rows, n);
        expectNmse('rmsNormBackward dx only', gdx, wdx, TOL.norm);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('gather / scatterAdd', () => {
      const cases = [
        ['(3,10,7) with repeated indices', 3, 10, 7, [4, 0, 9, 4, 4, 2, 9, 1, 0, 0, 5, 3]],
        ['embedding (1,100,64), 600 rows (threaded)', 1, 100, 64, Array.from({ length: 600 }, (_, j) => (j * 37) % 100)],
        ['inner = 1', 4, 6, 1, [5, 5, 0, 1]],
      ] as const;
      for (const [title, outer, size, inner, idxList] of cases) {
        it(`gather ${title}`, () => {
          const r = new Rng(1200 + inner);
          const src = randn(r, outer * size * inner), idx = Int32Array.from(idxList), n = idx.length;
          const got = nanFilled(outer * n * inner), want = new Float64Array(outer * n * inner);
          be.gather(src, outer, size, inner, idx, n, got);
          refBackend.gather(W(src), outer, size, inner, idx, n, want);
          expectExact(`gather ${title}`, got, want);
          expectNmse(`gather ${title}`, got, want, TOL.copy);
        });
        it(`scatterAdd ${title}: repeated indices accumulate`, () => {
          const r = new Rng(1250 + inner);
          const idx = Int32Array.from(idxList), n = idx.length;
          const g = randn(r, outer * n * inner), dst0 = randn(r, outer * size * inner);
          const got = C(dst0), want = W(dst0);
          be.scatterAdd(g, outer, size, inner, idx, n, got);
          refBackend.scatterAdd(W(g), outer, size, inner, idx, n, want);
          expectNmse(`scatterAdd ${title}`, got, want, TOL.rounding);
        });
      }
      it('an out-of-range index throws and writes nothing', () => {
        const outer = 2, size = 5, inner = 3;
        const src = randn(new Rng(1290), outer * size * inner);
        for (const bad of [[0, 5], [1, -1], [2, 3, 99]]) {
          const idx = Int32Array.from(bad), n = idx.length;
          const out = new Float32Array(outer * n * inner).fill(42);
          expectThrows(`gather [${bad}]`, () => be.gather(src, outer, size, inner, idx, n, out), /out of range|index/i);
          assert.ok(out.every((v) => v === 42), 'gather wrote before throwing');
          const g = new Float32Array(outer * n * inner).fill(1), dst = new Float32Array(outer * size * inner).fill(7);
          expectThrows(`scatterAdd [${bad}]`, () => be.scatterAdd(g, outer, size, inner, idx, n, dst), /out of range|index/i);
          assert.ok(dst.every((v) => v === 7), 'scatterAdd wrote before throwing');
        }
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('attention', () => {
      interface AttnCase {
        B: number; Tq: number; Tk: number; H: number; D: number; causal: boolean; scale?: number;
        /** keyMask value for (b, j); undefined = no mask. */
        mask?: (b: number, j: number) => number;
        /** q, k, v as views into one fused (B, T, 3, H, D) projection: sT = 3 H D. */
        fused?: boolean;
        /** (B, H, T, D) storage: sH = T D, sT = D. */
        headsMajor?: boolean;
        /** T = 1 operands stored with token stride 0. */
        zeroStride?: boolean;
        qScale?: number;
        /** (b, h, i) rows that must come out exactly zero with lse = -inf. */
        masked?: [number, number, number][];
      }

      interface Views { q: BTHD; k: BTHD; v: BTHD; q64: BTHD; k64: BTHD; v64: BTHD }

      function makeViews(c: AttnCase, rng: Rng): Views {
        const { B, Tq, Tk, H, D } = c, HD = H * D;
        if (c.fused) {
          assert.equal(Tq, Tk);
          const buf = randn(rng, B * Tq * 3 * HD, c.qScale ?? 1), w = W(buf);
          const sB = Tq * 3 * HD, sT = 3 * HD;
          const mk = (data: FArray, off: number): BTHD => ({ data: data.subarray(off), sB, sT, sH: D });
          return { q: mk(buf, 0), k: mk(buf, HD), v: mk(buf, 2 * HD), q64: mk(w, 0), k64: mk(w, HD), v64: mk(w, 2 * HD) };
        }
        const one = (T: number, scale: number): [BTHD, BTHD] => {
          const buf = randn(rng, B * T * HD, scale), w = W(buf);
          const zero = c.zeroStride && T === 1;
          const st = c.headsMajor ? { sB: H * T * D, sT: D, sH: T * D } : { sB: T * HD, sT: zero ? 0 : HD, sH: D };
          return [{ data: buf, ...st }, { data: w, ...st }];
        };
        const [q, q64] = one(Tq, c.qScale ?? 1), [k, k64] = one(Tk, 1), [v, v64] = one(Tk, 1);
        return { q, k, v, q64, k64, v64 };
      }

      function runAttention(title: string, c: AttnCase, seed: number): void {
        const rng = new Rng(seed);
        const { B, Tq, Tk, H, D } = c;
        const views = makeViews(c, rng);
        let mask32: Float32Array | null = null;
        if (c.mask) {
          mask32 = new Float32Array(B * Tk);
          for (let b = 0; b < B; b++) for (let j = 0; j < Tk; j++) mask32[b * Tk + j] = c.mask(b, j);
        }
        const base = { B, Tq, Tk, H, D, causal: c.causal, scale: c.scale ?? 1 / Math.sqrt(D) };
        const s32: AttnShape = { ...base, keyMask: mask32 }, s64: AttnShape = { ...base, keyMask: mask32 && W(mask32) };
        const nq = B * Tq * H * D, nk = B * Tk * H * D;
        const out = nanFilled(nq), lse = nanFilled(B * H * Tq);
        const out64 = new Float64Array(nq), lse64 = new Float64Array(B * H * Tq);
        be.attention(views.q, views.k, views.v, out, lse, s32);
        refBackend.attention(views.q64, views.k64, views.v64, out64, lse64, s64);
        expectNmse(`attention ${title} out`, out, out64, TOL.attention);
        expectNmse(`attention ${title} lse`, lse, lse64, TOL.attention);
        for (const [b, h, i] of c.masked ?? []) {
          const row = out.subarray((b * Tq + i) * H * D + h * D, (b * Tq + i) * H * D + h * D + D);
          assert.ok(row.every((x) => x === 0), `attention ${title}: fully masked row (${b},${h},${i}) must be zeros`);
          assert.equal(lse[(b * H + h) * Tq + i], -Infinity, `attention ${title}: fully masked row lse must be -inf`);
        }
        // Backward: out and lse are inputs, given as the truth rounded to float32 (same values to both).
        const o32 = Float32Array.from(out64), l32 = Float32Array.from(lse64), dout = randn(rng, nq);
        const dq = nanFilled(nq), dk = nanFilled(nk), dv = nanFilled(nk);
        const dq64 = new Float64Array(nq), dk64 = new Float64Array(nk), dv64 = new Float64Array(nk);
        const cq = (data: FArray, T: number): BTHD => ({ data, sB: T * H * D, sT: H * D, sH: D });
        be.attentionBackward(views.q, views.k, views.v, o32, l32, dout, cq(dq, Tq), cq(dk, Tk), cq(dv, Tk), s32);
        refBackend.attentionBackward(views.q64, views.k64, views.v64, W(o32), W(l32), W(dout), cq(dq64, Tq),
          cq(dk64, Tk), cq(dv64, Tk), s64);
        expectNmse(`attentionBackward ${title} dq`, dq, dq64, TOL.attention);
        expectNmse(`attentionBackward ${title} dk`, dk, dk64, TOL.attention);
        expectNmse(`attentionBackward ${title} dv`, dv, dv64, TOL.attention);
        if (c.fused) {
          // The same gradients written straight into one fused dqkv buffer (sT = 3*H*D), as selfAttention does.
          const HD = H * D, dqkv = nanFilled(B * Tq * 3 * HD);
          const mk = (off: number): BTHD => ({ data: dqkv.subarray(off), sB: Tq * 3 * HD, sT: 3 * HD, sH: D });
          be.attentionBackward(views.q, views.k, views.v, o32, l32, dout, mk(0), mk(HD), mk(2 * HD), s32);
          for (let r = 0; r < B * Tq; r++) {
            for (const [i, g] of [dq, dk, dv].entries()) {
              assert.deepEqual(Array.from(dqkv.subarray(r * 3 * HD + i * HD, r * 3 * HD + (i + 1) * HD)),
                Array.from(g.subarray(r * HD, (r + 1) * HD)), `attentionBackward ${title}: fused dqkv row ${r} part ${i}`);
            }
          }
        }
      }

      it('non-causal (B=2, T=9, H=3, D=8)', () => runAttention('non-causal', { B: 2, Tq: 9, Tk: 9, H: 3, D: 8, causal: false }, 1300));
      it('causal (B=2, T=9, H=3, D=8)', () => runAttention('causal', { B: 2, Tq: 9, Tk: 9, H: 3, D: 8, causal: true }, 1301));
      it('Tq < Tk causal offset (Tq=4, Tk=11) and non-causal cross-attention', () => {
        runAttention('Tq<Tk causal', { B: 2, Tq: 4, Tk: 11, H: 2, D: 5, causal: true }, 1302);
        runAttention('Tq<Tk non-causal', { B: 1, Tq: 3, Tk: 7, H: 2, D: 6, causal: false }, 1303);
        runAttention('Tq>Tk non-causal', { B: 1, Tq: 7, Tk: 3, H: 2, D: 6, causal: false }, 1304);
      });
      it('keyMask; a batch with every key masked gives zeros and lse = -inf', () => {
        const H = 2, Tq = 5;
        const masked: [number, number, number][] = [];
        for (let h = 0; h < H; h++) for (let i = 0; i < Tq; i++) masked.push([1, h, i]);
        runAttention('keyMask', {
          B: 3, Tq, Tk: 6, H, D: 4, causal: false,
          mask: (b, j) => (b === 1 ? 0 : b === 0 ? (j % 3 === 1 ? 0 : 1) : (j < 4 ? 1 : 0)), masked,
        }, 1305);
      });
      it('causal + keyMask hiding key 0: query row 0 is fully masked', () => {
        const masked: [number, number, number][] = [[0, 0, 0], [0, 1, 0]];
        runAttention('causal keyMask', { B: 2, Tq: 6, Tk: 6, H: 2, D: 4, causal: true, mask: (b, j) => (b === 0 && j === 0 ? 0 : 1), masked }, 1306);
        runAttention('Tq<Tk causal keyMask', { B: 1, Tq: 3, Tk: 8, H: 1, D: 4, causal: true, mask: (_b, j) => (j >= 5 ? 0 : 1) }, 1307);
      });
      it('strided views into a fused qkv projection (sT = 3*H*D)', () => {
        runAttention('fused qkv causal', { B: 2, Tq: 7, Tk: 7, H: 3, D: 8, causal: true, fused: true }, 1308);
        runAttention('fused qkv non-causal', { B: 1, Tq: 5, Tk: 5, H: 2, D: 4, causal: false, fused: true, mask: (_b, j) => (j === 2 ? 0 : 1) }, 1309);
      });
      it('(B, H, T, D) storage (sH = T*D) and custom scale', () =>
        runAttention('heads-major', { B: 2, Tq: 5, Tk: 6, H: 3, D: 4, causal: false, headsMajor: true, scale: 0.3 }, 1310));
      it('peaked scores (|q| x 6)', () => runAttention('peaked', { B: 1, Tq: 8, Tk: 8, H: 2, D: 16, causal: true, qScale: 6 }, 1311));
      it('larger (B=2, T=48, H=4, D=32) causal (threaded over B*H)', () =>
        runAttention('large causal', { B: 2, Tq: 48, Tk: 48, H: 4, D: 32, causal: true }, 1312));
      it('single query / single key', () => {
        runAttention('Tq=1 decode', { B: 2, Tq: 1, Tk: 5, H: 2, D: 4, causal: true }, 1313);
        runAttention('Tk=1', { B: 1, Tq: 1, Tk: 1, H: 1, D: 3, causal: true }, 1314);
      });
      it('attention: Tq = 1 / Tk = 1 views with token stride 0', () => {
        runAttention('Tq=1 sT=0', { B: 2, Tq: 1, Tk: 5, H: 2, D: 4, causal: false, zeroStride: true }, 1315);
        runAttention('Tk=1 sT=0', { B: 2, Tq: 3, Tk: 1, H: 2, D: 4, causal: false, zeroStride: true }, 1316);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('crossEntropy', () => {
      function runCE(title: string, rows: number, V: number, opts: { weights: boolean; ignore: number; ignoreEvery?: number;
        shift?: number; scale?: number }, seed: number, tol: number): void {
        const r = new Rng(seed);
        const x = randn(r, rows * V, opts.scale ?? 3, opts.shift ?? 0);
        const t = new Int32Array(rows);
        for (let i = 0; i < rows; i++) t[i] = opts.ignoreEvery && i % opts.ignoreEvery === 1 ? opts.ignore : r.int(V);
        let w: Float32Array | null = null;
        if (opts.weights) { w = uniform(r, rows, 0, 2); w[0] = 0; }
        const lse = nanFilled(rows), rl = nanFilled(rows), lse64 = new Float64Array(rows), rl64 = new Float64Array(rows);
        be.crossEntropy(x, rows, V, t, w, opts.ignore, lse, rl);
        refBackend.crossEntropy(W(x), rows, V, t, w && W(w), opts.ignore, lse64, rl64);
        expectNmse(`crossEntropy ${title} lse`, lse, lse64, tol);
        expectNmse(`crossEntropy ${title} rowLoss`, rl, rl64, tol);
        for (let i = 0; i < rows; i++) if (t[i] === opts.ignore) assert.equal(rl[i], 0, `ignored row ${i} must have loss 0`);
        const l32 = Float32Array.from(lse64), scale = 1 / rows;
        const dx = nanFilled(rows * V), dx64 = new Float64Array(rows * V);
        be.crossEntropyBackward(x, rows, V, t, w, opts.ignore, l32, scale, dx);
        refBackend.crossEntropyBackward(W(x), rows, V, t, w && W(w), opts.ignore, W(l32), scale, dx64);
        expectNmse(`crossEntropyBackward ${title} dlogits`, dx, dx64, tol);
        for (let i = 0; i < rows; i++) {
          if (t[i] === opts.ignore) assert.ok(dx.subarray(i * V, i * V + V).every((v) => v === 0), `ignored row ${i}: zero grad`);
        }
      }
      it('weights + ignore index -100 (40x57)', () => runCE('weighted', 40, 57, { weights: true, ignore: -100, ignoreEvery: 5 }, 1400, TOL.crossEntropy));
      it('no weights, in-range ignore index 0 (37x11)', () => runCE('ignore 0', 37, 11, { weights: false, ignore: 0 }, 1401, TOL.crossEntropy));
      it('600 rows (threaded) and a wide vocabulary (3x5000)', () => {
        runCE('600x57', 600, 57, { weights: true, ignore: -1, ignoreEvery: 7 }, 1402, TOL.crossEntropy);
        runCE('3x5000', 3, 5000, { weights: false, ignore: -100 }, 1403, TOL.crossEntropy);
      });
      it('logits around 1e4 (no overflow; error bounded by float32 rounding of lse)', () => {
        const rows = 8, V = 20, r = new Rng(1404);
        const x = randn(r, rows * V, 3, 1e4), t = Int32Array.from({ length: rows }, (_, i) => (i * 3) % V);
        const lse = nanFilled(rows), rl = nanFilled(rows), lse64 = new Float64Array(rows), rl64 = new Float64Array(rows);
        be.crossEntropy(x, rows, V, t, null, -100, lse, rl);
        refBackend.crossEntropy(W(x), rows, V, t, null, -100, lse64, rl64);
        // |lse| ~ 1e4: float32 resolves it to ~5e-4; the row loss inherits that absolute error.
        const abs = (i: number) => 4 * 2 ** -24 * Math.abs(lse64[i]) + 1e-6;
        expectClose('crossEntropy ~1e4 lse', lse, lse64, (i) => abs(i));
        expectClose('crossEntropy ~1e4 rowLoss', rl, rl64, (i) => abs(i));
      });
      it('a target out of range throws (forward and backward)', () => {
        const rows = 3, V = 4, x = randn(new Rng(1405), rows * V);
        for (const bad of [4, -1, 100]) {
          const t = Int32Array.of(0, bad, 2);
          expectThrows(`crossEntropy target ${bad}`, () => be.crossEntropy(x, rows, V, t, null, -100, new Float32Array(rows),
            new Float32Array(rows)), /out of range|target/i);
          expectThrows(`crossEntropyBackward target ${bad}`, () => be.crossEntropyBackward(x, rows, V, t, null, -100,
            new Float32Array(rows), 1, new Float32Array(rows * V)), /out of range|target/i);
        }
        // the ignore index itself is never range-checked
        be.crossEntropy(x, rows, V, Int32Array.of(0, -100, 3), null, -100, new Float32Array(rows), new Float32Array(rows));
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('adamw', () => {
      /** PyTorch AdamW, float64: the formula the kernels implement (independent of refBackend). */
      function adamwFormula(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, lr: number, b1: number,
        b2: number, eps: number, wd: number, step: number): void {
        for (let i = 0; i < p.length; i++) {
          p[i] -= lr * wd * p[i];
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
          const mHat = m[i] / (1 - b1 ** step), vHat = v[i] / (1 - b2 ** step);
          p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
      /** 3 steps (the second with tiny gradients, so eps matters) on the backend, the formula and ref(f64). */
      function run3(n: number, seed: number, b2: number) {
        const r = new Rng(seed);
        const lr = 1e-2, b1 = 0.9, eps = 1e-8, wd = 0.1;
        const p0 = randn(r, n);
        const p = C(p0), m = new Float32Array(n), v = new Float32Array(n);
        const P = W(p0), M = new Float64Array(n), V = new Float64Array(n);
        const Pr = W(p0), Mr = new Float64Array(n), Vr = new Float64Array(n);
        for (let step = 1; step <= 3; step++) {
          const g = randn(r, n, step === 2 ? 1e-3 : 1);
          be.adamw(p, g, m, v, n, lr, b1, b2, eps, wd, step);
          adamwFormula(P, W(g), M, V, lr, b1, b2, eps, wd, step);
          refBackend.adamw(Pr, W(g), Mr, Vr, n, lr, b1, b2, eps, wd, step);
        }
        return { p, m, v, P, M, V, Pr };
      }
      for (const n of [1000, 70000]) {
        it(`3 steps vs the formula: param and m (n = ${n})`, () => {
          const { p, m, P, M, Pr } = run3(n, 1500 + n, 0.999);
          expectNmse(`adamw n=${n} param`, p, P, TOL.adamw);
          expectNmse(`adamw n=${n} m`, m, M, TOL.adamw);
          // The float64 reference kernel is the same formula up to float64 rounding.
          expectNmse(`adamw n=${n} ref(f64) vs formula`, Pr, P, 1e-24);
        });
      }
      it('adamw second moment v (keeps 1 - beta2 at full precision)', () => {
        for (const b2 of [0.999, 0.95]) {
          const { v, V } = run3(1000, 1502, b2);
          expectNmse(`adamw v beta2=${b2}`, v, V, TOL.adamw);
        }
      });
      it('step < 1 throws', () => {
        const a = new Float32Array(2);
        expectThrows('adamw step 0', () => be.adamw(a, a.slice(), a.slice(), a.slice(), 2, 1e-3, 0.9, 0.999, 1e-8, 0, 0), /step/);
      });
    });

    // ---------------------------------------------------------------------------------------------
    describe('vqNearest', () => {
      function runVq(title: string, N: number, D: number, K: number, noise: number, seed: number): void {
        const r = new Rng(seed);
        const code = randn(r, K * D, 3);
        const assign = Int32Array.from({ length: N }, () => r.int(K));
        const x = new Float32Array(N * D);
        for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) x[i * D + j] = code[assign[i] * D + j] + noise * r.normal();
        const idx = new Int32Array(N).fill(-1), dist = nanFilled(N), idx64 = new Int32Array(N), dist64 = new Float64Array(N);
        be.vqNearest(x, N, D, code, K, idx, dist);
        refBackend.vqNearest(W(x), N, D, W(code), K, idx64, dist64);
        // Well separated codes (spacing ~ 3 sqrt(2 D) >> noise sqrt(D)): indices must match exactly.
        expectIntsEqual(`vqNearest ${title} idx vs truth`, idx, idx64);
        expectIntsEqual(`vqNearest ${title} idx vs generator`, idx, assign);
        expectNmse(`vqNearest ${title} dist`, dist, dist64, TOL.vqDist);
        // Elementwise: the expanded |x|^2 - 2 x.c + |c|^2 loses ~eps (|x|^2 + |c|^2) absolute.
        expectClose(`vqNearest ${title} dist elementwise`, dist, dist64, (i) => {
          let s = 0;
          for (let j = 0; j < D; j++) s += x[i * D + j] ** 2 + code[idx64[i] * D + j] ** 2;
          return 16 * 2 ** -24 * s + 1e-30;
        });
      }
      it('150 rows (3 row blocks), D=8, K=16', () => runVq('150x8 K16', 150, 8, 16, 0.05, 1600));
      it('N=1, K=1 and a wide D', () => {
        runVq('1x1 K1', 1, 1, 1, 0.1, 1601);
        runVq('5x300 K3', 5, 300, 3, 0.2, 1602);
      });
      it('exact codes: distance 0', () => {
        const code = randn(new Rng(1603), 4 * 6, 2);
        const idx = new Int32Array(4), dist = nanFilled(4);
        be.vqNearest(code.slice(), 4, 6, code, 4, idx, dist);
        assert.deepEqual(Array.from(idx), [0, 1, 2, 3]);
        for (const d of dist) assert.ok(d >= 0 && d < 1e-5, `distance to itself ${d}`);
      });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Native-only: bad input must throw a JS error, never crash or write out of bounds.

/** Calls fn and asserts it throws an Error mentioning `needle` (the kernel + argument name). */
function expectBadInput(needle: string, fn: () => void, type: new (...a: never[]) => Error = Error): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `${needle}: expected ${type.name}, got ${String(e)}`);
    assert.ok((e as Error).message.includes(needle), `${needle}: message "${(e as Error).message}" lacks "${needle}"`);
    return true;
  });
}

export function runNativeInputChecks(makeBackend: () => Backend): void {
  describe('native backend: bad input', () => {
    let be: Backend;
    before(() => { be = makeBackend(); });
    const f = (n: number) => new Float32Array(n);
    const d = (n: number) => new Float64Array(n);
    const q = (data: FArray, T: number, H: number, D: number): BTHD => ({ data, sB: T * H * D, sT: H * D, sH: D });
    const shape = (B: number, T: number, H: number, D: number): AttnShape =>
      ({ B, Tq: T, Tk: T, H, D, causal: false, scale: 1, keyMask: null });

    test('a Float64Array passed to a native kernel throws a TypeError', () => {
      const cases: [string, () => void][] = [
        ['A', () => be.gemm(d(4), 0, f(4), 0, f(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0)],
        ['C', () => be.gemm(f(4), 0, f(4), 0, d(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0)],
        ['x', () => be.unary(UnaryOp.exp, d(3), f(3), 3)],
        ['out', () => be.unary(UnaryOp.exp, f(3), d(3), 3)],
        ['dy', () => be.unaryBackward(UnaryOp.exp, f(3), f(3), d(3), f(3), 3)],
        ['b', () => be.binary(BinaryOp.add, f(3), 0, i32(1), d(3), 0, i32(1), f(3), i32(3))],
        ['x', () => be.affine(d(3), f(3), 3, 1, 0)],
        ['dst', () => be.copy(f(3), 0, i32(1), d(3), 0, i32(1), i32(3), false)],
        ['x', () => be.reduce(ReduceOp.sum, d(6), 2, 3, 1, f(2), null)],
        ['x', () => be.sumSquares(d(3), 3)],
        ['out', () => be.softmax(f(6), d(6), 2, 3, false)],
        ['dx', () => be.softmaxBackward(f(6), f(6), d(6), 2, 3, true)],
        ['w', () => be.layerNorm(f(6), d(3), null, f(6), f(2), f(2), 2, 3, 1e-5)],
        ['db', () => be.layerNormBackward(f(6), null, f(2), f(2), f(6), f(6), null, d(3), 2, 3)],
        ['rstd', () => be.rmsNorm(f(6), null, f(6), d(2), 2, 3, 1e-5)],
        ['dw', () => be.rmsNormBackward(f(6), null, f(2), f(6), f(6), d(3), 2, 3)],
        ['src', () => be.gather(d(6), 1, 3, 2, i32(0), 1, f(2))],
        ['dst', () => be.scatterAdd(f(2), 1, 3, 2, i32(0), 1, d(6))],
        ['k', () => be.attention(q(f(8), 2, 1, 4), q(d(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), shape(1, 2, 1, 4))],
        ['keyMask', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          { ...shape(1, 2, 1, 4), keyMask: d(2) })],
        ['dv', () => be.attentionBackward(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), f(8),
          q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(d(8), 2, 1, 4), shape(1, 2, 1, 4))],
        ['logits', () => be.crossEntropy(d(6), 2, 3, i32(0, 1), null, -100, f(2), f(2))],
        ['weights', () => be.crossEntropyBackward(f(6), 2, 3, i32(0, 1), d(2), -100, f(2), 1, f(6))],
        ['v', () => be.adamw(f(3), f(3), f(3), d(3), 3, 1e-3, 0.9, 0.999, 1e-8, 0, 1)],
        ['codebook', () => be.vqNearest(f(4), 2, 2, d(4), 2, new Int32Array(2), f(2))],
      ];
      for (const [what, fn] of cases) expectBadInput(what, fn, TypeError);
    });

    test('a too-short output (or input) throws an Error naming the kernel and argument', () => {
      const cases: [string, () => void][] = [
        ['unary out', () => be.unary(UnaryOp.exp, f(8), f(7), 8)],
        ['unary x', () => be.unary(UnaryOp.neg, f(7), f(8), 8)],
        ['unaryBackward dx', () => be.unaryBackward(UnaryOp.tanh, f(8), f(8), f(8), f(2), 8)],
        ['gemm C', () => be.gemm(f(6), 0, f(6), 0, f(8), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 1, 0, 0, 0)],
        ['gemm A', () => be.gemm(f(6), 1, f(6), 0, f(9), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 1, 0, 0, 0)],
        ['gemm B', () => be.gemm(f(12), 0, f(6), 0, f(18), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 2, 6, 1, 9)],
        ['binary out', () => be.binary(BinaryOp.mul, f(6), 0, i32(3, 1), f(3), 0, i32(0, 1), f(5), i32(2, 3))],
        ['binary b', () => be.binary(BinaryOp.mul, f(6), 0, i32(3, 1), f(3), 1, i32(0, 1), f(6), i32(2, 3))],
        ['affine out', () => be.affine(f(4), f(3), 4, 2, 1)],
        ['copy dst', () => be.copy(f(6), 0, i32(1, 2), f(6), 1, i32(3, 1), i32(2, 3), false)],
        ['copy src', () => be.copy(f(5), 0, i32(1, 2), f(6), 0, i32(3, 1), i32(2, 3), true)],
        ['reduce out', () => be.reduce(ReduceOp.sum, f(12), 3, 4, 1, f(2), null)],
        ['reduce argmax', () => be.reduce(ReduceOp.max, f(12), 3, 4, 1, f(3), new Int32Array(2))],
        ['sumSquares x', () => be.sumSquares(f(3), 4)],
        ['softmax out', () => be.softmax(f(12), f(11), 3, 4, false)],
        ['softmaxBackward dx', () => be.softmaxBackward(f(12), f(12), f(11), 3, 4, true)],
        ['layerNorm rstd', () => be.layerNorm(f(12), null, null, f(12), f(3), f(2), 3, 4, 1e-5)],
        ['layerNorm weight', () => be.layerNorm(f(12), f(3), null, f(12), f(3), f(3), 3, 4, 1e-5)],
        ['layerNormBackward dw', () => be.layerNormBackward(f(12), null, f(3), f(3), f(12), f(12), f(3), null, 3, 4)],
        ['rmsNorm out', () => be.rmsNorm(f(12), null, f(10), f(3), 3, 4, 1e-5)],
        ['rmsNormBackward dx', () => be.rmsNormBackward(f(12), null, f(3), f(12), f(1), null, 3, 4)],
        ['gather out', () => be.gather(f(12), 1, 6, 2, i32(0, 1, 2), 3, f(5))],
        ['gather idx', () => be.gather(f(12), 1, 6, 2, i32(0, 1), 3, f(6))],
        ['scatterAdd out', () => be.scatterAdd(f(6), 1, 6, 2, i32(0, 1, 2), 3, f(11))],
        ['attention out', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(7), f(2), shape(1, 2, 1, 4))],
        ['attention lse', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(1), shape(1, 2, 1, 4))],
        ['attention k', () => be.attention(q(f(8), 2, 1, 4), q(f(7), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), shape(1, 2, 1, 4))],
        ['attention keyMask', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          { ...shape(1, 2, 1, 4), keyMask: f(1) })],
        ['attentionBackward dk', () => be.attentionBackward(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          f(8), q(f(8), 2, 1, 4), q(f(4), 2, 1, 4), q(f(8), 2, 1, 4), shape(1, 2, 1, 4))],
        ['crossEntropy rowLoss', () => be.crossEntropy(f(6), 2, 3, i32(0, 1), null, -100, f(2), f(1))],
        ['crossEntropy targets', () => be.crossEntropy(f(6), 2, 3, i32(0), null, -100, f(2), f(2))],
        ['crossEntropyBackward dlogits', () => be.crossEntropyBackward(f(6), 2, 3, i32(0, 1), null, -100, f(2), 1, f(5))],
        ['adamw v', () => be.adamw(f(3), f(3), f(3), f(2), 3, 1e-3, 0.9, 0.999, 1e-8, 0, 1)],
        ['vqNearest dist', () => be.vqNearest(f(4), 2, 2, f(4), 2, new Int32Array(2), f(1))],
        ['vqNearest idx', () => be.vqNearest(f(4), 2, 2, f(4), 2, new Int32Array(1), f(2))],
      ];
      for (const [what, fn] of cases) expectBadInput(what, fn);
    });

    test('a wrong index array type throws instead of reading garbage', () => {
      const asI32 = (x: unknown) => x as Int32Array;
      expectBadInput('Int32Array', () => be.gather(f(6), 1, 3, 2, asI32(new Float32Array(1)), 1, f(2)));
      expectBadInput('Int32Array', () => be.binary(BinaryOp.add, f(3), 0, asI32([1]), f(3), 0, i32(1), f(3), i32(3)));
      expectBadInput('Int32Array', () => be.crossEntropy(f(6), 2, 3, asI32(new Uint32Array(2)), null, -100, f(2), f(2)));
    });

    test('changing the thread count after parallel work does not crash (child process)', () => {
      const binding = new URL('../../src/backend/native/binding.js', import.meta.url).href;
      const script = `const { loadNative } = await import(${JSON.stringify(binding)});
        const a = loadNative(), n = 1 << 17, x = new Float32Array(n).fill(1), y = new Float32Array(n);
        a.affine(x, y, n, 2, 1);
        a.setThreads(3);
        a.affine(x, y, n, 3, 0);
        a.setThreads(2);
        process.exit(y.every((v) => v === 3) ? 0 : 2);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.signal, null, `child died with ${r.signal}`);
      assert.equal(r.status, 0, `child exited with ${r.status}: ${r.stderr}`);
    });

    test('a negative offset or stride is rejected, not read out of bounds', () => {
      const dst = new Float32Array(4).fill(-1);
      expectBadInput('copy src', () => be.copy(Float32Array.of(1, 2, 3, 4), -2, i32(1), dst, 0, i32(1), i32(4), false));
      expectBadInput('copy dst', () => be.copy(Float32Array.of(1, 2, 3, 4), 0, i32(1), dst, -1, i32(1), i32(4), false));
      assert.deepEqual(Array.from(dst), [-1, -1, -1, -1]);
      expectBadInput('gemm', () => be.gemm(f(4), -2, f(4), 0, f(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0));
      expectBadInput('binary a', () => be.binary(BinaryOp.add, f(4), 1, Int32Array.of(2, -1), f(4), 0, Int32Array.of(2, 1), f(4), Int32Array.of(2, 2)));
    });
  });
}
