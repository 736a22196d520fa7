/**
 * functions/attention_composed.ts — attention as batched GEMMs and a softmax (what PyTorch eager
 * does), differentiated by autograd, for tensors on a GPU. The fused kernels give one thread per
 * query row: B * H * T threads, a few percent of a large GPU at T of a few hundred, where two
 * batched GEMMs over (B * H) fill it. The fused path stays for key masks (a fully masked row must
 * give zeros, not NaN), for long sequences (this keeps B * H * Tq * Tk scores for the backward) and
 * on the host. CM3LEON_WEBGPU_ATTENTION=fused|composed pins the choice on a GPU.
 */
import { onDevice } from '../device.js';
import { Tensor } from '../tensor.js';
import { add, mulScalar } from './arith.js';
import { tensor } from './create.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax.js';
import { contiguous, permute, transpose } from './view.js';

/** Scores (B * H * Tq * Tk) up to which a GPU takes the composed path: 256 MiB of f32 per copy. */
const COMPOSED_MAX = 2 ** 26;

export function useComposed(q: Tensor, B: number, H: number, Tq: number, Tk: number, keyMask: Tensor | null | undefined): boolean {
  const pin = process.env.CM3LEON_WEBGPU_ATTENTION;
  if (!q.onDevice || keyMask || pin === 'fused') return false;
  return pin === 'composed' || B * H * Tq * Tk <= COMPOSED_MAX;
}

/** (Tq, Tk): 0 where query i sees key j (j <= i + Tk - Tq), -inf elsewhere; one kept tensor per device and shape. */
const biases = new WeakMap<object, Map<string, Tensor>>();
function causalBias(like: Tensor, Tq: number, Tk: number): Tensor {
  const rt = like.device!;
  let byShape = biases.get(rt);
  if (!byShape) biases.set(rt, (byShape = new Map()));
  let t = byShape.get(`${Tq}x${Tk}`);
  if (!t) {
    const v = new Float32Array(Tq * Tk), off = Tk - Tq;
    for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) v[i * Tk + j] = j <= i + off ? 0 : -Infinity;
    t = onDevice(rt, () => tensor(v, [Tq, Tk], like.dtype).keep());
    byShape.set(`${Tq}x${Tk}`, t);
  }
  return t;
}

/** q (B, Tq, H, D), k and v (B, Tk, H, D), any strides -> (B, Tq, H, D) contiguous. */
export function composedAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, scale: number): Tensor {
  const heads = (t: Tensor) => contiguous(permute(t, [0, 2, 1, 3])); // (B, H, T, D)
  let s = matmul(mulScalar(heads(q), scale), transpose(heads(k), 2, 3)); // (B, H, Tq, Tk)
  if (causal) s = add(s, causalBias(q, q.shape[1], k.shape[1]));
  return contiguous(permute(matmul(softmax(s), heads(v)), [0, 2, 1, 3]));
}
