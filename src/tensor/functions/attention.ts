/**
 * functions/attention.ts — fused scaled-dot-product attention, forward + backward.
 * q (B, Tq, H, D), k and v (B, Tk, H, D): any strides with unit stride over D, so they can be
 * slices of one fused qkv projection. Output (B, Tq, H, D) contiguous. With causal = true,
 * query i sees keys j <= i + (Tk - Tq), which is what decoding with a KV cache needs. On a GPU,
 * moderate sizes without a key mask go through attention_composed.ts instead.
 */
import type { AttnShape, BTHD } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { floatData, fmt, K, sameFloat } from './util.js';
import { composedAttention, useComposed } from './attention_composed.js';
import { contiguous, reshape, slice, unflatten } from './view.js';

export interface AttentionOpts {
  causal?: boolean;
  /** (B, Tk) float tensor, 1 = attend, 0 = padding. */
  keyMask?: Tensor | null;
  /** Defaults to 1/sqrt(D). */
  scale?: number;
}

function asBTHD(t: Tensor): { view: BTHD; t: Tensor } {
  const u = t.strides[3] === 1 ? t : contiguous(t);
  return { t: u, view: { data: u.data.subarray(u.offset) as Float32Array, sB: u.strides[0], sT: u.strides[1], sH: u.strides[2] } };
}

/** A (B, T, H, D) view at `offset` into a buffer whose rows hold `rowStride` floats per token. */
function bthd(data: Tensor['data'], offset: number, T: number, H: number, D: number, rowStride: number): BTHD {
  return { data: data.subarray(offset) as Float32Array, sB: T * rowStride, sT: rowStride, sH: D };
}

function checkOpts(B: number, Tq: number, Tk: number, H: number, D: number, q: Tensor, opts: AttentionOpts): AttnShape {
  if (Tk === 0 || D === 0) throw new RangeError(`attention: needs at least one key and head size D >= 1, got Tk=${Tk}, D=${D}`);
  const causal = opts.causal ?? false;
  if (causal && Tq > Tk) throw new RangeError(`attention: causal needs Tq <= Tk, got ${Tq} > ${Tk}`);
  const mask = opts.keyMask ?? null;
  if (mask && (mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== Tk)) {
    throw new RangeError(`attention: keyMask must be (B, Tk) = [${B}, ${Tk}], got ${fmt(mask.shape)}`);
  }
  if (mask) sameFloat(q, mask, 'attention keyMask');
  return { B, Tq, Tk, H, D, causal, scale: opts.scale ?? 1 / Math.sqrt(D), keyMask: mask ? floatData(mask, 'attention keyMask') : null };
}

export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOpts = {}): Tensor {
  for (const [t, n] of [[q, 'q'], [k, 'k'], [v, 'v']] as const) {
    t.check(`attention ${n}`);
    if (t.ndim !== 4) throw new RangeError(`attention: ${n} must be (B, T, H, D), got ${fmt(t.shape)}`);
  }
  sameFloat(q, k, 'attention');
  sameFloat(q, v, 'attention');
  const [B, Tq, H, D] = q.shape;
  const Tk = k.shape[1];
  if (k.shape[0] !== B || k.shape[2] !== H || k.shape[3] !== D || v.shape.some((d, i) => d !== k.shape[i])) {
    throw new RangeError(`attention: q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)} do not agree`);
  }
  const shape = checkOpts(B, Tq, Tk, H, D, q, opts);
  if (useComposed(q, B, H, Tq, Tk, opts.keyMask)) return composedAttention(q, k, v, shape.causal, shape.scale);
  const Q = asBTHD(q), Kt = asBTHD(k), V = asBTHD(v);
  const out = Tensor.empty([B, Tq, H, D], q.dtype);
  const lse = Tensor.empty([B, H, Tq], q.dtype);
  K(q).attention(Q.view, Kt.view, V.view, out.data as Float32Array, lse.data as Float32Array, shape);
  return record('attention', out, [q, k, v], (g) => {
    const dq = Tensor.empty(q.shape, q.dtype), dk = Tensor.empty(k.shape, q.dtype), dv = Tensor.empty(v.shape, q.dtype);
    K(q).attentionBackward(Q.view, Kt.view, V.view, out.data as Float32Array, lse.data as Float32Array,
      floatData(g, 'attention grad'), bthd(dq.data, 0, Tq, H, D, H * D), bthd(dk.data, 0, Tk, H, D, H * D),
      bthd(dv.data, 0, Tk, H, D, H * D), shape);
    return [dq, dk, dv];
  });
}

/**
 * Self-attention straight from a fused projection: qkv (B, T, 3*H*D) laid out [q | k | v] per
 * token -> (B, T, H*D). The backward writes one dqkv, so no slice/concat copies are needed.
 */
export function selfAttention(qkv: Tensor, heads: number, opts: AttentionOpts = {}): Tensor {
  qkv.check('selfAttention qkv');
  if (qkv.ndim !== 3 || qkv.shape[2] % (3 * heads) !== 0) {
    throw new RangeError(`selfAttention: qkv must be (B, T, 3*H*D) with H = ${heads}, got ${fmt(qkv.shape)}`);
  }
  const [B, T, C3] = qkv.shape, C = C3 / 3, D = C / heads;
  const shape = checkOpts(B, T, T, heads, D, qkv, opts);
  if (useComposed(qkv, B, heads, T, T, opts.keyMask)) {
    const part = (i: number) => unflatten(slice(qkv, 2, i * C, (i + 1) * C), 2, [heads, D]);
    return reshape(composedAttention(part(0), part(1), part(2), shape.causal, shape.scale), [B, T, C]);
  }
  const x = contiguous(qkv);
  const base = x.data.subarray(x.offset) as Float32Array;
  const views = [0, 1, 2].map((i) => bthd(base, i * C, T, heads, D, C3));
  const out = Tensor.empty([B, T, C], qkv.dtype);
  const lse = Tensor.empty([B, heads, T], qkv.dtype);
  K(qkv).attention(views[0], views[1], views[2], out.data as Float32Array, lse.data as Float32Array, shape);
  return record('selfAttention', out, [qkv], (g) => {
    const d = Tensor.empty([B, T, C3], qkv.dtype);
    const dv = [0, 1, 2].map((i) => bthd(d.data, i * C, T, heads, D, C3));
    K(qkv).attentionBackward(views[0], views[1], views[2], out.data as Float32Array, lse.data as Float32Array,
      floatData(g, 'selfAttention grad'), dv[0], dv[1], dv[2], shape);
    return [d];
  });
}
