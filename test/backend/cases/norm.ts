/**
 * Normalisation conformance: layerNorm (all weight/bias variants, dw/db accumulation) and rmsNorm,
 * forward and backward.
 */
import { describe } from 'node:test';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import { expectNmse, nanFilled, randn, TOL, W, type SuiteContext } from './util.js';

/** Registers the `layerNorm` and `rmsNorm` cases. */
export function normSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
        ctx.be.layerNorm(x, w, b, got, gm, gr, rows, n, eps);
        refBackend.layerNorm(W(x), w && W(w), b && W(b), want, wm, wr, rows, n, eps);
        expectNmse(`layerNorm ${tag} out`, got, want, TOL.norm);
        expectNmse(`layerNorm ${tag} mean`, gm, wm, TOL.norm);
        expectNmse(`layerNorm ${tag} rstd`, gr, wr, TOL.norm);
        // Backward: mean/rstd are inputs (same values); dw/db start at ones and must be accumulated into.
        const mean = Float32Array.from(wm), rstd = Float32Array.from(wr), dy = randn(r, rows * n);
        const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
        const gdw = hasW ? new Float32Array(n).fill(1) : null, gdb = hasB ? new Float32Array(n).fill(1) : null;
        const wdw = hasW ? new Float64Array(n).fill(1) : null, wdb = hasB ? new Float64Array(n).fill(1) : null;
        ctx.be.layerNormBackward(x, w, mean, rstd, dy, gdx, gdw, gdb, rows, n);
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
      ctx.be.layerNormBackward(x, w, Float32Array.from(wm), Float32Array.from(wr), dy, gdx, null, null, rows, n);
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
        ctx.be.layerNormBackward(x, w, mean, rstd, dy, new Float32Array(rows * n), gdw, gdb, rows, n);
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
        ctx.be.rmsNorm(x, w, got, gr, rows, n, eps);
        refBackend.rmsNorm(W(x), w && W(w), want, wr, rows, n, eps);
        expectNmse(`rmsNorm ${tag} out`, got, want, TOL.norm);
        expectNmse(`rmsNorm ${tag} rstd`, gr, wr, TOL.norm);
        const rstd = Float32Array.from(wr), dy = randn(r, rows * n);
        const gdx = nanFilled(rows * n), wdx = new Float64Array(rows * n);
        const gdw = hasW ? new Float32Array(n).fill(1) : null, wdw = hasW ? new Float64Array(n).fill(1) : null;
        ctx.be.rmsNormBackward(x, w, rstd, dy, gdx, gdw, rows, n);
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
      ctx.be.rmsNormBackward(x, w, rstd, dy, gdx, null, rows, n);
      refBackend.rmsNormBackward(W(x), W(w), W(rstd), W(dy), wdx, null, rows, n);
      expectNmse('rmsNormBackward dx only', gdx, wdx, TOL.norm);
    });
  });
}
