/**
 * Finite-difference gradient checks (float64, reference backend): fused attention (non-causal,
 * causal, key masks, Tq < Tk) and selfAttention, including strided slices of a fused qkv tensor.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import {
  attention, permute, selfAttention, slice, tensor, unflatten, type Tensor,
} from '../../src/tensor/index.js';
import { gradcheck, leaf } from '../helpers/gradcheck.js';

// ---------------------------------------------------------------- attention

const B = 2, T = 5, H = 2, D = 3;

test('gradcheck attention non-causal', () => {
  const q = leaf([B, T, H, D], 100), k = leaf([B, T, H, D], 101), v = leaf([B, T, H, D], 102);
  gradcheck('attention', () => attention(q, k, v), [q, k, v]);
  gradcheck('attention scale 0.7', () => attention(q, k, v, { scale: 0.7 }), [q, k, v]);
});

test('gradcheck attention causal', () => {
  const q = leaf([B, T, H, D], 103), k = leaf([B, T, H, D], 104), v = leaf([B, T, H, D], 105);
  gradcheck('attention causal', () => attention(q, k, v, { causal: true }), [q, k, v]);
});

test('gradcheck attention with keyMask', () => {
  const q = leaf([B, T, H, D], 106), k = leaf([B, T, H, D], 107), v = leaf([B, T, H, D], 108);
  const mask = tensor([1, 1, 0, 1, 0, 0, 1, 1, 1, 0], [B, T], 'f64');
  gradcheck('attention keyMask', () => attention(q, k, v, { keyMask: mask }), [q, k, v]);
  // Causal + mask: key 0 visible in both rows so every query row sees at least one key.
  const mask2 = tensor([1, 0, 1, 1, 0, 1, 1, 0, 1, 1], [B, T], 'f64');
  gradcheck('attention causal + keyMask', () => attention(q, k, v, { causal: true, keyMask: mask2 }), [q, k, v]);
});

test('gradcheck attention KV-cache shape (Tq=2 < Tk=5, causal)', () => {
  const q = leaf([B, 2, H, D], 109), k = leaf([B, 5, H, D], 110), v = leaf([B, 5, H, D], 111);
  gradcheck('attention Tq<Tk causal', () => attention(q, k, v, { causal: true }), [q, k, v]);
  gradcheck('attention Tq<Tk non-causal', () => attention(q, k, v), [q, k, v]);
});

test('gradcheck attention with q/k/v strided slices of a fused tensor', () => {
  const C = H * D;
  const qkv = leaf([B, T, 3 * C], 112);
  const heads = (i: number) => unflatten(slice(qkv, -1, i * C, (i + 1) * C), -1, [H, D]);
  gradcheck('attention fused qkv causal', () => attention(heads(0), heads(1), heads(2), { causal: true }), [qkv]);
  gradcheck('attention fused qkv non-causal', () => attention(heads(0), heads(1), heads(2)), [qkv]);
  gradcheck('selfAttention causal', () => selfAttention(qkv, H, { causal: true }), [qkv]);
  const mask = tensor([1, 1, 0, 1, 1, 1, 0, 1, 1, 1], [B, T], 'f64');
  gradcheck('selfAttention keyMask', () => selfAttention(qkv, H, { keyMask: mask }), [qkv]);
  // (B, H, T, D) leaves permuted to (B, T, H, D): unit stride over D, odd strides elsewhere.
  const qp = leaf([B, H, T, D], 113), kp = leaf([B, H, T, D], 114), vp = leaf([B, H, T, D], 115);
  const p = (t: Tensor) => permute(t, [0, 2, 1, 3]);
  gradcheck('attention permuted views', () => attention(p(qp), p(kp), p(vp), { causal: true }), [qp, kp, vp]);
});
