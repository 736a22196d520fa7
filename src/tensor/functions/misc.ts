/**
 * functions/misc.ts — dropout, L2 normalisation, and vector quantisation with the
 * straight-through estimator.
 */
import { record } from '../autograd.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { addScalar, div, mul, sqrt, square } from './arith.js';
import { tensor } from './create.js';
import { embedding } from './gather.js';
import { sum } from './reduce.js';
import { floatData, fmt, K } from './util.js';
import { contiguous } from './view.js';

/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1-p). */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const host = new Float64Array(x.size);
  for (let i = 0; i < host.length; i++) host[i] = rng.uniform() < p ? 0 : keep;
  return mul(x, tensor(host, x.shape, x.dtype));
}

/** x / sqrt(sum(x^2, axis) + eps). */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  return div(x, sqrt(addScalar(sum(square(x), axis, true), eps)));
}

/** Forward: the values of q. Backward: the gradient goes to x unchanged (straight-through). */
export function straightThrough(x: Tensor, q: Tensor): Tensor {
  if (x.size !== q.size) throw new RangeError(`straightThrough: ${fmt(x.shape)} vs ${fmt(q.shape)}`);
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(floatData(q, 'straightThrough q'));
  return record('straightThrough', out, [x], (g) => [g]);
}

export interface Quantized {
  /** Nearest code index per row, i32 (...). */
  indices: Tensor;
  /** The chosen codes (gradient flows into the codebook). */
  codes: Tensor;
  /** Codes in the forward pass, identity gradient to x (straight-through). */
  quantized: Tensor;
  /** Squared distance of each row to its code. */
  distances: Tensor;
}

/** Vector quantisation of x (..., D) against codebook (K, D). */
export function vectorQuantize(x: Tensor, codebook: Tensor): Quantized {
  const D = x.shape[x.ndim - 1];
  if (codebook.ndim !== 2 || codebook.shape[1] !== D) {
    throw new RangeError(`vectorQuantize: codebook ${fmt(codebook.shape)} does not match input dim ${D}`);
  }
  const N = x.size / D, Kc = codebook.shape[0];
  const indices = Tensor.empty(x.shape.slice(0, -1), 'i32');
  const distances = Tensor.empty(x.shape.slice(0, -1), x.dtype);
  K(x).vqNearest(floatData(contiguous(x), 'vectorQuantize input'), N, D, floatData(codebook, 'codebook'), Kc,
    indices.data as Int32Array, distances.data as Float32Array);
  const codes = embedding(codebook, indices);
  return { indices, codes, quantized: straightThrough(x, codes), distances };
}
