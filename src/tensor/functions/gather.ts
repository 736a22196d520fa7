/**
 * functions/gather.ts — index-select along an axis and embedding lookup; backward is a
 * scatter-add into a zero gradient (repeated indices accumulate).
 */
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { floatData, fmt, intData, K, normAxis, prod, samePlace } from './util.js';
import { contiguous } from './view.js';

export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normAxis(axis, x.ndim, 'indexSelect');
  samePlace('indexSelect', x, index);
  const idx = intData(index, 'indexSelect index');
  const outer = prod(x.shape, 0, a), inner = prod(x.shape, a + 1);
  const size = x.shape[a], n = idx.length;
  const xd = floatData(contiguous(x), 'indexSelect input');
  const shape = [...x.shape.slice(0, a), ...index.shape, ...x.shape.slice(a + 1)];
  const out = Tensor.empty(shape, x.dtype);
  K(x).gather(xd, outer, size, inner, idx, n, out.data as Float32Array);
  return record('indexSelect', out, [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype, true);
    K(x).scatterAdd(floatData(g, 'indexSelect grad'), outer, size, inner, idx, n, dx.data as Float32Array);
    return [dx];
  });
}

/** Rows of weight (V, D) for integer ids of any shape -> (...ids.shape, D). */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be (V, D), got ${fmt(weight.shape)}`);
  return indexSelect(weight, 0, ids);
}
