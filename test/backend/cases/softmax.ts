/**
 * Softmax / log-softmax conformance: forward and backward, rows offset by ±1e4, and -inf / NaN /
 * +inf rows.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import { expectNmse, nanFilled, randn, TOL, W, type SuiteContext } from './util.js';

/** Registers the `softmax` cases. */
export function softmaxSuite(ctx: SuiteContext): void {
  const { it } = ctx;
  describe('softmax', () => {
    for (const log of [false, true]) {
      const kind = log ? 'log-softmax' : 'softmax';
      for (const [rows, n] of [[50, 37], [3, 1], [2, 5000], [1000, 37]] as const) {
        it(`${kind} forward and backward (${rows}x${n})`, () => {
          const r = new Rng(900 + rows + n + Number(log));
          const x = randn(r, rows * n, 3);
          const got = nanFilled(rows * n), want = new Float64Array(rows * n);
          ctx.be.softmax(x, got, rows, n, log);
          refBackend.softmax(W(x), want, rows, n, log);
          expectNmse(`${kind} (${rows}x${n})`, got, want, TOL.softmax);
          const y = Float32Array.from(want), dy = randn(r, rows * n);
          const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
          ctx.be.softmaxBackward(y, dy, gdx, rows, n, log);
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
        ctx.be.softmax(x, got, rows, n, log);
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
        ctx.be.softmax(x, got, rows, n, log);
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
        ctx.be.softmaxBackward(y, dy, gdx, fr, n, log);
        refBackend.softmaxBackward(W(y), W(dy), wdx, fr, n, log);
        expectNmse(`${kind} backward special rows`, gdx, wdx, TOL.softmax);
      });
    }
  });
}
