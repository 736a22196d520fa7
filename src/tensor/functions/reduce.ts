/**
 * functions/reduce.ts — sum/mean over axes and max over one axis, forward + backward.
 */
import { ReduceOp } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { affine } from './arith.js';
import { floatData, K, normAxis, prod } from './util.js';
import { bindReduceSum, broadcastTo, contiguous, reshape } from './view.js';

function axesOf(t: Tensor, axes: number | readonly number[] | undefined, op: string): number[] {
  const list = axes === undefined ? t.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  return [...new Set(list.map((a) => normAxis(a, t.ndim, op)))].sort((x, y) => x - y);
}

function keptShape(t: Tensor, axes: number[]): number[] {
  return t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Sum over axes (all when omitted). */
export function sum(t: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  const ax = axesOf(t, axes, 'sum');
  let cur = contiguous(t);
  let curShape = [...t.shape];
  for (let k = ax.length - 1; k >= 0; k--) {
    const a = ax[k];
    const outer = prod(curShape, 0, a), inner = prod(curShape, a + 1);
    const n = curShape[a];
    curShape[a] = 1;
    const out = Tensor.empty(curShape, t.dtype);
    if (n === 0) out.data.fill(0);
    else K(t).reduce(ReduceOp.sum, floatData(cur, 'sum input'), outer, n, inner, out.data as Float32Array, null);
    cur = out;
  }
  const kept = keptShape(t, ax);
  const shape = keepDim ? kept : t.shape.filter((_, i) => !ax.includes(i));
  const out = new Tensor(cur.data, t.dtype, shape, undefined, cur.offset, cur.owner);
  return record('sum', out, [t], (g) => [contiguous(broadcastTo(reshape(g, kept), t.shape))]);
}

export function mean(t: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  const ax = axesOf(t, axes, 'mean');
  const n = ax.reduce((p, a) => p * t.shape[a], 1);
  return affine(sum(t, ax, keepDim), 1 / n);
}

/** Max over one axis; the gradient flows to the first maximal element. */
export function max(t: Tensor, axis = -1, keepDim = false): Tensor {
  const a = normAxis(axis, t.ndim, 'max');
  const x = floatData(t, 'max input');
  const outer = prod(t.shape, 0, a), inner = prod(t.shape, a + 1);
  const n = t.shape[a];
  const kept = t.shape.map((d, i) => (i === a ? 1 : d));
  const out = Tensor.empty(keepDim ? kept : t.shape.filter((_, i) => i !== a), t.dtype);
  const arg = new Int32Array(outer * inner);
  K(t).reduce(ReduceOp.max, x, outer, n, inner, out.data as Float32Array, arg);
  return record('max', out, [t], (g) => {
    const gd = floatData(g, 'max grad');
    const dx = Tensor.empty(t.shape, t.dtype, true);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) dx.host[(o * n + arg[o * inner + i]) * inner + i] = gd[o * inner + i];
    }
    return [dx];
  });
}

bindReduceSum((t, axes) => sum(t, axes));
