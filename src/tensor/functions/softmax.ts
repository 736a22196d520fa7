/**
 * functions/softmax.ts — softmax and log-softmax over the last axis, forward + backward.
 */
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { floatData, K } from './util.js';
import { contiguous } from './view.js';

function softmaxImpl(x: Tensor, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  if (x.ndim === 0) throw new RangeError(`${name}: needs rank >= 1`);
  const n = x.shape[x.ndim - 1], rows = x.size / Math.max(n, 1);
  const xc = contiguous(x);
  const out = Tensor.empty(x.shape, x.dtype);
  K(x).softmax(floatData(xc, `${name} input`), out.data as Float32Array, rows, n, log);
  return record(name, out, [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    K(x).softmaxBackward(out.data as Float32Array, floatData(g, `${name} grad`), dx.data as Float32Array, rows, n, log);
    return [dx];
  });
}

export const softmax = (x: Tensor): Tensor => softmaxImpl(x, false);
export const logSoftmax = (x: Tensor): Tensor => softmaxImpl(x, true);
