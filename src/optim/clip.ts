/**
 * optim/clip.ts — global-norm gradient clipping (as torch.nn.utils.clip_grad_norm_).
 */
import { kernelsFor } from '../backend/index.js';
import type { Tensor } from '../tensor/index.js';

/** Scales every grad by min(1, maxNorm / (norm + 1e-6)); returns the norm before clipping. */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) if (p.grad) sq += kernelsFor(p.dtype).sumSquares(p.grad.flat() as Float32Array, p.grad.size);
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const p of params) {
      if (!p.grad) continue;
      const d = p.grad.flat() as Float32Array;
      kernelsFor(p.dtype).affine(d, d, d.length, coef, 0);
    }
  }
  return norm;
}
