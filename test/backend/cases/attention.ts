/**
 * Fused attention conformance, forward and backward: causal / non-causal, Tq != Tk, key masks
 * (fully masked rows), fused-qkv strided views, heads-major storage, peaked scores, threaded
 * sizes, and token stride 0.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AttnShape, BTHD, FArray } from '../../../src/backend/backend.js';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import { expectNmse, nanFilled, randn, TOL, W, type SuiteContext } from './util.js';

/** Registers the `attention` cases. */
export function attentionSuite(ctx: SuiteContext): void {
  const { it } = ctx;
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
      ctx.be.attention(views.q, views.k, views.v, out, lse, s32);
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
      ctx.be.attentionBackward(views.q, views.k, views.v, o32, l32, dout, cq(dq, Tq), cq(dk, Tk), cq(dv, Tk), s32);
      refBackend.attentionBackward(views.q64, views.k64, views.v64, W(o32), W(l32), W(dout), cq(dq64, Tq),
        cq(dk64, Tk), cq(dv64, Tk), s64);
      expectNmse(`attentionBackward ${title} dq`, dq, dq64, TOL.attention);
      expectNmse(`attentionBackward ${title} dk`, dk, dk64, TOL.attention);
      expectNmse(`attentionBackward ${title} dv`, dv, dv64, TOL.attention);
      if (c.fused) {
        // The same gradients written straight into one fused dqkv buffer (sT = 3*H*D), as selfAttention does.
        const HD = H * D, dqkv = nanFilled(B * Tq * 3 * HD);
        const mk = (off: number): BTHD => ({ data: dqkv.subarray(off), sB: Tq * 3 * HD, sT: 3 * HD, sH: D });
        ctx.be.attentionBackward(views.q, views.k, views.v, o32, l32, dout, mk(0), mk(HD), mk(2 * HD), s32);
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
    it('B*H = 65540 heads (more than one WebGPU grid dimension holds), forward and backward', () =>
      runAttention('many heads', { B: 16385, Tq: 2, Tk: 2, H: 4, D: 2, causal: true }, 1320));
    it('single query / single key', () => {
      runAttention('Tq=1 decode', { B: 2, Tq: 1, Tk: 5, H: 2, D: 4, causal: true }, 1313);
      runAttention('Tk=1', { B: 1, Tq: 1, Tk: 1, H: 1, D: 3, causal: true }, 1314);
    });
    it('attention: Tq = 1 / Tk = 1 views with token stride 0', () => {
      runAttention('Tq=1 sT=0', { B: 2, Tq: 1, Tk: 5, H: 2, D: 4, causal: false, zeroStride: true }, 1315);
      runAttention('Tk=1 sT=0', { B: 2, Tq: 3, Tk: 1, H: 2, D: 4, causal: false, zeroStride: true }, 1316);
    });
  });
}
