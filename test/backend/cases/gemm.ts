/**
 * GEMM conformance: transposes, padded leading dims, offsets, alpha/beta, batches (gaps, shared
 * operands), threaded sizes, degenerate shapes (k = 0, one-row leading dims).
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import { C, expectExact, expectNmse, randn, TOL, W, type SuiteContext } from './util.js';

/** Registers the `gemm` cases. */
export function gemmSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
      ctx.be.gemm(A, aOff, B, bOff, got, cOff, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC);
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
    it('skinny M <= 8 (decoding; WebGPU: gemm_skinny): every transpose, padded, offsets, beta, batches, threaded sizes', () => {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const seed = 130 + Number(ta) * 2 + Number(tb);
        runGemm(`skinny 2x300x129 ${ta}${tb}`, { m: 2, n: 300, k: 129, ta, tb, padA: 3, padB: 5, padC: 7, aOff: 2, bOff: 1, cOff: 4, alpha: 0.7, beta: -1.25 }, seed);
        runGemm(`skinny 4x1031x260 ${ta}${tb}`, { m: 4, n: 1031, k: 260, ta, tb }, seed + 10);
        runGemm(`skinny 3x5x7 ${ta}${tb}`, { m: 3, n: 5, k: 7, ta, tb, cFill: NaN }, seed + 20);
        runGemm(`skinny 8x70x33 ${ta}${tb}`, { m: 8, n: 70, k: 33, ta, tb, padA: 1, padC: 2, beta: 1 }, seed + 30);
        runGemm(`9 rows (past skinny) 9x70x33 ${ta}${tb}`, { m: 9, n: 70, k: 33, ta, tb, padB: 3 }, seed + 40);
        runGemm(`skinny batch3 5x66x40 ${ta}${tb}`, { m: 5, n: 66, k: 40, ta, tb, batch: 3, gapA: 3, gapC: 2, alpha: 0.5, beta: 0.25 }, seed + 50);
      }
    });
    it('aligned operands (vec4 loads on WebGPU): every transpose, ragged tiles, offsets and lds multiples of 4', () => {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const seed = 140 + Number(ta) * 2 + Number(tb);
        runGemm(`aligned 68x36x20 ${ta}${tb}`, { m: 68, n: 36, k: 20, ta, tb, padA: 4, padB: 8, padC: 1, aOff: 4, bOff: 8, cOff: 3, beta: 0.5 }, seed);
        runGemm(`aligned 132x260x36 ${ta}${tb}`, { m: 132, n: 260, k: 36, ta, tb }, seed + 10);
      }
    });
    it('long k over few output tiles (split-K on WebGPU): every transpose, offsets, alpha, NaN in C; padded C does not split', () => {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const seed = 150 + Number(ta) * 2 + Number(tb);
        runGemm(`long-k 70x40x2048 ${ta}${tb}`, { m: 70, n: 40, k: 2048, ta, tb, padA: 4, padB: 8, aOff: 4, bOff: 8, cOff: 3, alpha: 0.5, cFill: NaN }, seed);
        runGemm(`long-k 33x65x1030 ${ta}${tb}`, { m: 33, n: 65, k: 1030, ta, tb, padA: 1, aOff: 1 }, seed + 10);
      }
      runGemm('long-k padded C', { m: 64, n: 64, k: 1024, ta: true, tb: false, padC: 3 }, 160);
    });
    it('batch 70000 (more matrices than one WebGPU grid dimension holds)', () => {
      runGemm('batch70000 2x3x2', { m: 2, n: 3, k: 2, ta: false, tb: true, batch: 70000, alpha: 0.5 }, 170);
    });
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
      ctx.be.gemm(A, 0, B, 0, got, 0, 1, 2, 3, false, false, 0, 2, 2, 1, 0, 1, 0, 0, 0);
      refBackend.gemm(W(A), 0, W(B), 0, want, 0, 1, 2, 3, false, false, 0, 2, 2, 1, 0, 1, 0, 0, 0);
      expectExact('gemm m=1 lda=0', got, want);
    });
    it('gemm: A, B and C as disjoint views of one array (C accumulates, beta = 1)', () => {
      const rng = new Rng(150), m = 6, n = 5, k = 7;
      const all = randn(rng, m * k + k * n + m * n + 3);
      const want = W(all);
      ctx.be.gemm(all, 0, all, m * k, all, m * k + k * n + 3, m, n, k, false, false, k, n, n, 1, 1, 1, 0, 0, 0);
      refBackend.gemm(want, 0, want, m * k, want, m * k + k * n + 3, m, n, k, false, false, k, n, n, 1, 1, 1, 0, 0, 0);
      expectNmse('gemm views of one array', all, want, TOL.gemm);
    });
    it('gemm: k = 0 gives C = beta * C', () => {
      const C0 = Float32Array.of(1, 2, 3, 4), got = C(C0), want = W(C0);
      ctx.be.gemm(new Float32Array(4), 0, new Float32Array(4), 0, got, 0, 2, 2, 0, false, false, 1, 2, 2, 1, 0.5, 1, 0, 0, 0);
      refBackend.gemm(new Float64Array(4), 0, new Float64Array(4), 0, want, 0, 2, 2, 0, false, false, 1, 2, 2, 1, 0.5, 1, 0, 0, 0);
      expectExact('gemm k=0', got, want);
    });
  });
}
