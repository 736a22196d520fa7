/**
 * Elementwise conformance: unary ops (forward over random, grid and special inputs; backward),
 * broadcasting binary ops, affine, and strided copy / accumulate.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryOp, UnaryOp, type UnaryName } from '../../../src/backend/backend.js';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import {
  C, expectClose, expectExact, expectNmse, i32, nanFilled, randn, TOL, uniform, W, type SuiteContext,
} from './util.js';

/** Registers the `unary`, `binary`, `affine` and `copy` cases, in that order. */
export function elementwiseSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
        ctx.be.unary(op, x, got, x.length);
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
        ctx.be.unaryBackward(op, xb, y, dy, got, n);
        refBackend.unaryBackward(op, W(xb), W(y), W(dy), want, n);
        expectNmse(`unaryBackward ${opName}`, got, want, TOL.unary);
        if (opName === 'neg' || opName === 'relu' || opName === 'abs') expectExact(`unaryBackward ${opName}`, got, want);
      });
    }
    it('exp does not overflow below log(FLT_MAX) (88.38 < x <= 88.72)', () => {
      const xs = Float32Array.of(88.38, 88.5, 88.7, 88.72), got = nanFilled(4), want = new Float64Array(4);
      ctx.be.unary(UnaryOp.exp, xs, got, 4);
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
      ctx.be.unaryBackward(UnaryOp.silu, xb, y, dy, got, n);
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
          ctx.be.binary(op, a, c.aOff, i32(...c.aS), b, c.bOff, i32(...c.bS), got, i32(...c.shape));
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
        ctx.be.binary(op, a, 0, i32(1), b, 0, i32(1), got, i32(a.length));
        refBackend.binary(op, W(a), 0, i32(1), W(b), 0, i32(1), want, i32(a.length));
        expectExact(`binary ${opName} specials`, got, want);
      }
      const got = nanFilled(3);
      ctx.be.binary(BinaryOp.div, Float32Array.of(1, -1, 1), 0, i32(1), Float32Array.of(0, 0, -0), 0, i32(1), got, i32(3));
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
        ctx.be.affine(x, got, n, alpha, beta);
        refBackend.affine(W(x), want, n, alpha, beta);
        expectNmse(`affine ${alpha},${beta}`, got, want, TOL.rounding);
      }
    });
    it('exact when alpha and beta are small powers of two; in place', () => {
      const r = new Rng(501), n = 1000;
      const x = randn(r, n);
      const got = C(x), want = new Float64Array(n);
      ctx.be.affine(got, got, n, 2, 0.5);
      refBackend.affine(W(x), want, n, 2, 0.5);
      expectExact('affine 2x+0.5 in place', got, want);
      const sp = Float32Array.of(NaN, Infinity, -Infinity), o = new Float32Array(3);
      ctx.be.affine(sp, o, 3, 2, 1);
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
      ctx.be.copy(src, sOff, i32(...sS), got, dOff, i32(...dS), i32(...shape), acc);
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
        ctx.be.binary(op, Float32Array.of(0, 3), 1, e, Float32Array.of(-2), 0, e, got, e);
        refBackend.binary(op, Float64Array.of(0, 3), 1, e, Float64Array.of(-2), 0, e, want, e);
        expectExact(`binary ${opName} rank 0`, got, want);
      }
      const got = Float32Array.of(1, 2), want = Float64Array.of(1, 2);
      ctx.be.copy(Float32Array.of(5, 6), 1, e, got, 1, e, e, true);
      refBackend.copy(Float64Array.of(5, 6), 1, e, want, 1, e, e, true);
      expectExact('copy rank 0', got, want);
    });
    it('large (300,256) strided (threaded)', () =>
      runCopy('large strided', 300 * 256, 0, [1, 256], 256 * 310, 5, [310, 1], [256, 300], true, 606));
  });
}
