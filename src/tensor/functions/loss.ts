/**
 * functions/loss.ts — fused cross-entropy (ignore-index, per-token weights) and the simple
 * regression losses (MSE, L1), forward + backward.
 */
import type { FArray } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { DeviceArray, deviceKernels } from '../device.js';
import { Tensor } from '../tensor.js';
import { abs, square, sub } from './arith.js';
import { mean } from './reduce.js';
import { floatData, fmt, intData, K, samePlace } from './util.js';
import { contiguous } from './view.js';

export interface CrossEntropyOpts {
  /** Targets equal to this are skipped (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** Per-token weights, same shape as targets. */
  weights?: Tensor | null;
}

/**
 * Mean negative log-likelihood: sum_r w_r * nll_r / sum_r w_r over non-ignored rows.
 * logits (..., V), targets (...) i32. A batch whose rows are all ignored has loss 0.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOpts = {}): Tensor {
  const V = logits.shape[logits.ndim - 1], rows = logits.size / V;
  if (targets.ndim !== logits.ndim - 1 || targets.shape.some((d, i) => d !== logits.shape[i])) {
    throw new RangeError(`crossEntropy: targets ${fmt(targets.shape)} do not match logits ${fmt(logits.shape)}`);
  }
  const ignore = opts.ignoreIndex ?? -100;
  samePlace('crossEntropy', logits, targets, opts.weights);
  const t = intData(targets, 'crossEntropy targets');
  const w = opts.weights ? floatData(opts.weights, 'crossEntropy weights') : null;
  if (w && w.length !== rows) throw new RangeError(`crossEntropy: weights need ${rows} values, got ${w.length}`);
  const x = floatData(contiguous(logits), 'crossEntropy logits');
  const lse = Tensor.empty([rows], logits.dtype), rowLoss = Tensor.empty([rows], logits.dtype);
  K(logits).crossEntropy(x, rows, V, t, w, ignore, lse.data as Float32Array, rowLoss.data as Float32Array);
  if (rowLoss.data instanceof DeviceArray) return crossEntropyOnDevice(logits, rowLoss.data, x, t, w, ignore, lse);
  const rl = rowLoss.host;
  let total = 0, denom = 0;
  for (let r = 0; r < rows; r++) {
    total += rl[r];
    if (t[r] !== ignore) denom += w ? w[r] : 1;
  }
  const out = Tensor.empty([], logits.dtype);
  out.host[0] = denom > 0 ? total / denom : 0;
  return record('crossEntropy', out, [logits], (g) => {
    const dx = Tensor.empty(logits.shape, logits.dtype);
    const scale = denom > 0 ? g.item() / denom : 0;
    K(logits).crossEntropyBackward(x, rows, V, t, w, ignore, lse.data as Float32Array, scale, dx.data as Float32Array);
    return [dx];
  });
}

/** The mean and its gradient scale stay on the device: no readback inside forward or backward. */
function crossEntropyOnDevice(logits: Tensor, rowLoss: DeviceArray, x: FArray, t: Int32Array, w: FArray | null,
  ignore: number, lse: Tensor): Tensor {
  const V = logits.shape[logits.ndim - 1], rows = logits.size / V;
  const dk = deviceKernels(rowLoss.rt), asDev = (a: unknown) => a as DeviceArray;
  const out = Tensor.empty([], logits.dtype), inv = Tensor.empty([1], logits.dtype);
  dk.crossEntropyMean(rowLoss, rows, asDev(t), w ? asDev(w) : null, ignore, asDev(out.data), asDev(inv.data));
  return record('crossEntropy', out, [logits], (g) => {
    const dx = Tensor.empty(logits.shape, logits.dtype);
    dk.crossEntropyBackward(asDev(x), rows, V, asDev(t), w ? asDev(w) : null, ignore, asDev(lse.data),
      [asDev(floatData(g, 'crossEntropy grad')), asDev(inv.data)], asDev(dx.data));
    return [dx];
  });
}

/**
 * Per-row negative log-likelihoods (rows = logits.size / V) without autograd, 0 where the target
 * is ignoreIndex; on the device of the logits (evaluation reads back rows values, not logits).
 */
export function tokenNll(logits: Tensor, targets: Tensor, ignoreIndex = -100): Tensor {
  const V = logits.shape[logits.ndim - 1], rows = logits.size / V;
  if (targets.size !== rows) throw new RangeError(`tokenNll: targets ${fmt(targets.shape)} do not match logits ${fmt(logits.shape)}`);
  const x = floatData(contiguous(logits), 'tokenNll logits'), t = intData(targets, 'tokenNll targets');
  const lse = Tensor.empty([rows], logits.dtype), nll = Tensor.empty([rows], logits.dtype);
  K(logits).crossEntropy(x, rows, V, t, null, ignoreIndex, lse.data as Float32Array, nll.data as Float32Array);
  return nll;
}

export function mse(a: Tensor, b: Tensor): Tensor {
  return mean(square(sub(a, b)));
}

export function l1(a: Tensor, b: Tensor): Tensor {
  return mean(abs(sub(a, b)));
}
