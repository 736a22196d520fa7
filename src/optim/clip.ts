/**
 * optim/clip.ts — global-norm gradient clipping (as torch.nn.utils.clip_grad_norm_). Gradients on
 * a GPU: each one's sum of squares lands in a slot of one device buffer, read back once.
 */
import { kernelsFor } from '../backend/index.js';
import { DeviceArray, deviceKernels } from '../tensor/device.js';
import { kernelsOf, type HostStorage, type Tensor } from '../tensor/index.js';

function scale(params: readonly Tensor[], norm: number, maxNorm: number): void {
  if (!Number.isFinite(norm)) return;
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return;
  for (const p of params) {
    if (!p.grad) continue;
    const d = p.grad.storage() as Float32Array;
    kernelsOf(p.grad).affine(d, d, d.length, coef, 0);
  }
}

/** Scales every grad by min(1, maxNorm / (norm + 1e-6)); returns the norm before clipping. Host grads only. */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) if (p.grad) sq += kernelsFor(p.dtype).sumSquares(p.grad.flat() as Float32Array, p.grad.size);
  const norm = Math.sqrt(sq);
  scale(params, norm, maxNorm);
  return norm;
}

/**
 * clipGradNorm for gradients on the host or a GPU that also reads tensors (e.g. the step's losses)
 * in the same wait for the device: a training step then synchronises with the GPU once.
 * `reads[i]` holds tensor i's values.
 */
export async function clipGradNormAndRead(params: readonly Tensor[], maxNorm: number, tensors: readonly Tensor[]): Promise<{ norm: number; reads: HostStorage[] }> {
  const grads = params.filter((p) => p.grad).map((p) => p.grad!);
  const dev = grads.map((g) => g.storage()).filter((d): d is DeviceArray => d instanceof DeviceArray);
  const sc = tensors.map((t) => t.storage());
  if (dev.length === 0 && !sc.some((d) => d instanceof DeviceArray)) {
    return { norm: clipGradNorm(params, maxNorm), reads: tensors.map((t) => t.flat().slice()) };
  }
  if (dev.length !== grads.length || !sc.every((d) => d instanceof DeviceArray)) throw new Error('clipGradNormAndRead: tensors are split between host and device');
  const rt = (dev[0] ?? (sc[0] as DeviceArray)).rt, dk = deviceKernels(rt);
  let n = dev.length;
  const at = sc.map((d) => { const o = n; n += d.length; return o; });
  const slots = new DeviceArray(rt, rt.alloc(n).buf, 0, n, false);
  dev.forEach((d, i) => dk.sumSquaresInto(d, d.length, slots.subarray(i, i + 1)));
  sc.forEach((d, i) => slots.set(d as DeviceArray, at[i]));
  const got = await slots.read();
  rt.free(slots);
  let total = 0;
  for (let i = 0; i < dev.length; i++) total += got[i];
  const norm = Math.sqrt(total);
  scale(params, norm, maxNorm);
  // The slots hold raw 32-bit words: i32 tensors come back as their own bits.
  return {
    norm,
    reads: sc.map((d, i) => (tensors[i].dtype === 'i32' ? new Int32Array(got.buffer, got.byteOffset + at[i] * 4, d.length) : got.subarray(at[i], at[i] + d.length)).slice()),
  };
}
