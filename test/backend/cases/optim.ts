/**
 * Optimiser and quantiser conformance: AdamW (3 steps vs the float64 formula) and vqNearest
 * (nearest code index and distance).
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import {
  C, expectClose, expectIntsEqual, expectNmse, expectThrows, nanFilled, randn, TOL, W, type SuiteContext,
} from './util.js';

/** Registers the `adamw` and `vqNearest` cases. */
export function optimSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
        ctx.be.adamw(p, g, m, v, n, lr, b1, b2, eps, wd, step);
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
      expectThrows('adamw step 0', () => ctx.be.adamw(a, a.slice(), a.slice(), a.slice(), 2, 1e-3, 0.9, 0.999, 1e-8, 0, 0), /step/);
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
      ctx.be.vqNearest(x, N, D, code, K, idx, dist);
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
      ctx.be.vqNearest(code.slice(), 4, 6, code, 4, idx, dist);
      assert.deepEqual(Array.from(idx), [0, 1, 2, 3]);
      for (const d of dist) assert.ok(d >= 0 && d < 1e-5, `distance to itself ${d}`);
    });
  });
}
