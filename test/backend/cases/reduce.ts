/**
 * Reduction conformance: sum and max/argmax over (outer, n, inner) layouts, NaN/±inf rows, and
 * sumSquares.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ReduceOp } from '../../../src/backend/backend.js';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import {
  expectExact, expectIntsEqual, expectNmse, expectThrows, nanFilled, randn, TOL, W, type SuiteContext,
} from './util.js';

/** Registers the `reduce` and `sumSquares` cases. */
export function reduceSuite(ctx: SuiteContext): void {
  const { it } = ctx;
  describe('reduce', () => {
    const shapes: [number, number, number][] = [[1, 1000, 1], [13, 37, 1], [5, 17, 9], [1, 50, 300], [3, 1, 4],
      [400, 3, 64], [7000, 10, 1]];
    for (const [outer, n, inner] of shapes) {
      it(`sum and max/argmax over (${outer}, ${n}, ${inner})`, () => {
        const r = new Rng(700 + outer + n + inner);
        const x = randn(r, outer * n * inner, 2, 0.3);
        const m = outer * inner;
        const gs = nanFilled(m), ws = new Float64Array(m);
        ctx.be.reduce(ReduceOp.sum, x, outer, n, inner, gs, null);
        refBackend.reduce(ReduceOp.sum, W(x), outer, n, inner, ws, null);
        expectNmse(`reduce sum (${outer},${n},${inner})`, gs, ws, TOL.reduce);
        const gm = nanFilled(m), wm = new Float64Array(m), ga = new Int32Array(m).fill(-1), wa = new Int32Array(m);
        ctx.be.reduce(ReduceOp.max, x, outer, n, inner, gm, ga);
        refBackend.reduce(ReduceOp.max, W(x), outer, n, inner, wm, wa);
        expectExact(`reduce max (${outer},${n},${inner})`, gm, wm);
        expectIntsEqual(`reduce argmax (${outer},${n},${inner})`, ga, wa);
        const gm2 = nanFilled(m);
        ctx.be.reduce(ReduceOp.max, x, outer, n, inner, gm2, null);
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
        ctx.be.reduce(ReduceOp.max, xx, o, n, in_, gm, ga);
        refBackend.reduce(ReduceOp.max, W(xx), o, n, in_, wm, wa);
        expectExact(`reduce max specials (${o},${n},${in_})`, gm, wm);
        expectIntsEqual(`reduce argmax specials (${o},${n},${in_})`, ga, wa);
        assert.ok(Number.isNaN(gm[0]) && Number.isNaN(gm[1]), 'max of a row containing NaN must be NaN');
        assert.deepEqual(Array.from(ga), [1, 0, 0, 1, 1, 2]);
        const gs = new Float32Array(rows), ws = new Float64Array(rows);
        ctx.be.reduce(ReduceOp.sum, xx, o, n, in_, gs, null);
        refBackend.reduce(ReduceOp.sum, W(xx), o, n, in_, ws, null);
        expectExact(`reduce sum specials (${o},${n},${in_})`, gs, ws);
      }
    });
    it('an empty axis throws', () => {
      expectThrows('reduce n=0', () => ctx.be.reduce(ReduceOp.sum, new Float32Array(4), 2, 0, 2, new Float32Array(4), null),
        /empty axis/);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('sumSquares', () => {
    it('random vectors of several lengths', () => {
      const r = new Rng(800);
      for (const n of [1, 5, 17, 1000, 100003]) {
        const x = randn(r, n + 3, 1.5, 0.2);
        const got = ctx.be.sumSquares(x, n), want = refBackend.sumSquares(W(x), n);
        expectNmse(`sumSquares n=${n}`, [got], [want], TOL.reduce);
      }
      assert.equal(ctx.be.sumSquares(new Float32Array(4), 0), 0);
    });
  });
}
