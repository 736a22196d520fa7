/**
 * functions/norm.ts — LayerNorm (affine or not; CM3Leon uses the non-affine form) and RMSNorm
 * over the last axis, forward + backward. Weight/bias gradients are accumulated by the kernel.
 */
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { floatData, fmt, K, samePlace } from './util.js';
import { contiguous } from './view.js';

function checkParam(p: Tensor | null, n: number, what: string): void {
  if (p && (p.ndim !== 1 || p.shape[0] !== n)) throw new RangeError(`${what} must have shape [${n}], got ${fmt(p.shape)}`);
}

export function layerNorm(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const n = x.shape[x.ndim - 1], rows = x.size / n;
  checkParam(weight, n, 'layerNorm weight');
  checkParam(bias, n, 'layerNorm bias');
  samePlace('layerNorm', x, weight, bias);
  const xd = floatData(contiguous(x), 'layerNorm input');
  const wd = weight ? floatData(weight, 'layerNorm weight') : null;
  const bd = bias ? floatData(bias, 'layerNorm bias') : null;
  const out = Tensor.empty(x.shape, x.dtype);
  const mean = Tensor.empty([rows], x.dtype), rstd = Tensor.empty([rows], x.dtype);
  K(x).layerNorm(xd, wd, bd, out.data as Float32Array, mean.data as Float32Array, rstd.data as Float32Array, rows, n, eps);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record('layerNorm', out, inputs, (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    const dw = weight?.requiresGrad ? Tensor.empty([n], x.dtype, true) : null;
    const db = bias?.requiresGrad ? Tensor.empty([n], x.dtype, true) : null;
    K(x).layerNormBackward(xd, wd, mean.data as Float32Array, rstd.data as Float32Array, floatData(g, 'layerNorm grad'),
      dx.data as Float32Array, (dw?.data ?? null) as Float32Array | null, (db?.data ?? null) as Float32Array | null, rows, n);
    return [dx, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
  });
}

export function rmsNorm(x: Tensor, weight: Tensor | null = null, eps = 1e-6): Tensor {
  const n = x.shape[x.ndim - 1], rows = x.size / n;
  checkParam(weight, n, 'rmsNorm weight');
  samePlace('rmsNorm', x, weight);
  const xd = floatData(contiguous(x), 'rmsNorm input');
  const wd = weight ? floatData(weight, 'rmsNorm weight') : null;
  const out = Tensor.empty(x.shape, x.dtype);
  const rstd = Tensor.empty([rows], x.dtype);
  K(x).rmsNorm(xd, wd, out.data as Float32Array, rstd.data as Float32Array, rows, n, eps);
  return record('rmsNorm', out, weight ? [x, weight] : [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    const dw = weight?.requiresGrad ? Tensor.empty([n], x.dtype, true) : null;
    K(x).rmsNormBackward(xd, wd, rstd.data as Float32Array, floatData(g, 'rmsNorm grad'), dx.data as Float32Array,
      (dw?.data ?? null) as Float32Array | null, rows, n);
    return weight ? [dx, dw] : [dx];
  });
}
