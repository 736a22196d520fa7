/**
 * webgpu/kernels.ts — the WebGPU kernels behind the Backend contract, operating on device buffer
 * views (GArr) instead of host arrays. sumSquares cannot return a number synchronously on a GPU,
 * so the device form writes it into a one-element buffer (sumSquaresInto). One module per op
 * family under kernels/, each the twin of a ref/ module.
 */
import type { Backend } from '../backend.js';
import { attention, attentionBackward } from './kernels/attention.js';
import { affine, binary, copy, unary, unaryBackward } from './kernels/elementwise.js';
import { gather, scatterAdd } from './kernels/gather.js';
import { gemm, gemmHalfB } from './kernels/gemm.js';
import { crossEntropy, crossEntropyBackward, crossEntropyMean } from './kernels/loss.js';
import { layerNorm, layerNormBackward, rmsNorm, rmsNormBackward } from './kernels/norm.js';
import { adamw, vqNearest } from './kernels/optim.js';
import { reduce, sumSquaresInto } from './kernels/reduce.js';
import { softmax, softmaxBackward } from './kernels/softmax.js';
import type { GArr, GpuRuntime } from './runtime.js';

export type DeviceKernels = Omit<Backend<GArr, GArr>, 'sumSquares' | 'crossEntropyBackward'> & {
  /** out[0] = sum of x[i]^2 over n elements. */
  sumSquaresInto(x: GArr, n: number, out: GArr): void;
  /** As the Backend's, or with the scale read on the device as g[0] * inv[0]. */
  crossEntropyBackward(logits: GArr, rows: number, V: number, targets: GArr, weights: GArr | null,
    ignoreIndex: number, lse: GArr, scale: number | [GArr, GArr], dlogits: GArr): void;
  /** gemm with B packed f16 (two halves per word; bOff, ldb, strideB in halves), f32 products and sums. */
  gemmHalfB: Backend<GArr, GArr>['gemm'];
  /** mean[0] = weighted mean of the row losses, inv[0] = 1 / total weight (0, 0 when none counts). */
  crossEntropyMean(rowLoss: GArr, rows: number, targets: GArr, weights: GArr | null, ignoreIndex: number, mean: GArr, inv: GArr): void;
};

type Tail<F> = F extends (rt: GpuRuntime, ...rest: infer R) => infer Ret ? (...args: R) => Ret : never;
const bind = <F extends (rt: GpuRuntime, ...rest: never[]) => unknown>(rt: GpuRuntime, f: F): Tail<F> =>
  ((...args: never[]) => f(rt, ...args)) as Tail<F>;

export function createDeviceKernels(rt: GpuRuntime): DeviceKernels {
  return {
    name: 'webgpu',
    gemm: bind(rt, gemm),
    gemmHalfB: bind(rt, gemmHalfB),
    unary: bind(rt, unary),
    unaryBackward: bind(rt, unaryBackward),
    binary: bind(rt, binary),
    affine: bind(rt, affine),
    copy: bind(rt, copy),
    reduce: bind(rt, reduce),
    sumSquaresInto: bind(rt, sumSquaresInto),
    softmax: bind(rt, softmax),
    softmaxBackward: bind(rt, softmaxBackward),
    layerNorm: bind(rt, layerNorm),
    layerNormBackward: bind(rt, layerNormBackward),
    rmsNorm: bind(rt, rmsNorm),
    rmsNormBackward: bind(rt, rmsNormBackward),
    gather: bind(rt, gather),
    scatterAdd: bind(rt, scatterAdd),
    attention: bind(rt, attention),
    attentionBackward: bind(rt, attentionBackward),
    crossEntropy: bind(rt, crossEntropy),
    crossEntropyBackward: bind(rt, crossEntropyBackward),
    crossEntropyMean: bind(rt, crossEntropyMean),
    adamw: bind(rt, adamw),
    vqNearest: bind(rt, vqNearest),
  };
}
