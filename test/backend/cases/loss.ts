/**
 * Cross-entropy conformance: per-row weights, ignore indices, threaded rows, wide vocabularies,
 * logits around 1e4, and out-of-range targets.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import {
  expectClose, expectNmse, expectThrows, nanFilled, randn, TOL, uniform, W, type SuiteContext,
} from './util.js';

/** Registers the `crossEntropy` cases. */
export function lossSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
      ctx.be.crossEntropy(x, rows, V, t, w, opts.ignore, lse, rl);
      refBackend.crossEntropy(W(x), rows, V, t, w && W(w), opts.ignore, lse64, rl64);
      expectNmse(`crossEntropy ${title} lse`, lse, lse64, tol);
      expectNmse(`crossEntropy ${title} rowLoss`, rl, rl64, tol);
      for (let i = 0; i < rows; i++) if (t[i] === opts.ignore) assert.equal(rl[i], 0, `ignored row ${i} must have loss 0`);
      const l32 = Float32Array.from(lse64), scale = 1 / rows;
      const dx = nanFilled(rows * V), dx64 = new Float64Array(rows * V);
      ctx.be.crossEntropyBackward(x, rows, V, t, w, opts.ignore, l32, scale, dx);
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
      ctx.be.crossEntropy(x, rows, V, t, null, -100, lse, rl);
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
        expectThrows(`crossEntropy target ${bad}`, () => ctx.be.crossEntropy(x, rows, V, t, null, -100, new Float32Array(rows),
          new Float32Array(rows)), /out of range|target/i);
        expectThrows(`crossEntropyBackward target ${bad}`, () => ctx.be.crossEntropyBackward(x, rows, V, t, null, -100,
          new Float32Array(rows), 1, new Float32Array(rows * V)), /out of range|target/i);
      }
      // the ignore index itself is never range-checked
      ctx.be.crossEntropy(x, rows, V, Int32Array.of(0, -100, 3), null, -100, new Float32Array(rows), new Float32Array(rows));
    });
  });
}
