/**
 * tokenizer/image/patches.ts — images <-> patch sequences as differentiable views:
 * (B, S, S, 3) <-> (B, G*G, P*P*3) with G = S/P, raster order over the grid.
 */
import { contiguous, permute, reshape, type Tensor } from '../../tensor/index.js';

export function patchify(x: Tensor, patch: number): Tensor {
  const [B, S, S2, C] = x.shape;
  if (S !== S2 || S % patch !== 0) throw new RangeError(`patchify: image (${x.shape}) does not split into ${patch}x${patch} patches`);
  const G = S / patch;
  const t = reshape(x, [B, G, patch, G, patch, C]); // (B, gy, py, gx, px, C)
  return reshape(contiguous(permute(t, [0, 1, 3, 2, 4, 5])), [B, G * G, patch * patch * C]); // (B, gy*gx, py*px*C)
}

export function unpatchify(p: Tensor, patch: number, channels = 3): Tensor {
  const [B, N] = p.shape;
  const G = Math.round(Math.sqrt(N));
  if (G * G !== N) throw new RangeError(`unpatchify: ${N} patches is not a square grid`);
  const t = reshape(p, [B, G, G, patch, patch, channels]); // (B, gy, gx, py, px, C)
  return reshape(contiguous(permute(t, [0, 1, 3, 2, 4, 5])), [B, G * patch, G * patch, channels]);
}
