/**
 * tokenizer/image/pixels.ts — 8-bit RGB images <-> float tensors in [-1, 1] (B, S, S, 3).
 */
import { tensor, type Tensor } from '../../tensor/index.js';

/** Built on the host, then a tensor on the device in use (if any). */
export function toTensor(images: readonly Uint8Array[], size: number): Tensor {
  const n = size * size * 3;
  const host = new Float32Array(images.length * n);
  images.forEach((img, b) => {
    if (img.length !== n) throw new RangeError(`image ${b}: expected ${size}x${size}x3 = ${n} bytes, got ${img.length}`);
    for (let i = 0; i < n; i++) host[b * n + i] = img[i] / 127.5 - 1;
  });
  return tensor(host, [images.length, size, size, 3]);
}

export function fromTensor(t: Tensor): Uint8Array[] {
  return fromArray(t.flat(), t.shape[0], t.shape[1]);
}

/** B images of S x S x 3 floats in [-1, 1] (row-major, e.g. read back from a GPU) -> 8-bit RGB. */
export function fromArray(d: ArrayLike<number>, B: number, S: number): Uint8Array[] {
  const n = S * S * 3;
  return Array.from({ length: B }, (_, b) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round((d[b * n + i] + 1) * 127.5)));
    return out;
  });
}
