/**
 * tensor/functions/linear_half.ts — linear(x, W, b) with W (out, in) stored on a GPU as packed
 * f16 (tensor/half.ts packHalf): half the memory and half the weight bytes read per decoding
 * step, products and sums in f32 (webgpu gemmHalfB). Inference only: no gradient flows to or
 * through it. Twin: linear() on the CPU with W rounded to f16 (roundHalf), the same values.
 */
import { allocDevice, deviceKernels, freeDevice, type DeviceArray } from '../device.js';
import { packHalf } from '../half.js';
import { Tensor } from '../tensor.js';
import { linearOutput } from './matmul.js';
import { fmt, prod } from './util.js';
import { contiguous } from './view.js';

/** A (rows x cols) matrix as packed f16 words on a GPU. */
export interface HalfMatrix { data: DeviceArray; rows: number; cols: number }

/** The f32 values of a 2-D weight (read from its device) packed as f16 on the same device. */
export async function toHalfMatrix(w: Tensor, what: string): Promise<HalfMatrix> {
  const rt = w.device;
  if (!rt || w.ndim !== 2) throw new RangeError(`${what}: f16 storage needs a 2-D weight on a GPU, got ${w.onDevice ? '' : 'a host '}[${fmt(w.shape)}]`);
  const words = packHalf(await contiguous(w).read(), what);
  const data = allocDevice(rt, true, words.length, false);
  data.set(words);
  return { data, rows: w.shape[0], cols: w.shape[1] };
}

export function linearHalf(x: Tensor, w: HalfMatrix, b: Tensor | null = null): Tensor {
  x.check('linear input');
  const inF = w.cols, outF = w.rows, rt = w.data.rt;
  if (x.device !== rt) throw new Error('linearHalf: the input must live on the GPU that holds the f16 weight');
  if (x.dtype !== 'f32' || x.shape[x.ndim - 1] !== inF) throw new RangeError(`linear: input ${x.dtype} ${fmt(x.shape)} does not match the f16 weight [${outF}, ${inF}] (out, in)`);
  if (x.requiresGrad || b?.requiresGrad) {
    throw new Error('linear: f16 weights are for inference; no gradients flow through them (run under noGrad, or keep f32 weights to train)');
  }
  const xc = contiguous(x), rows = prod(x.shape, 0, x.ndim - 1), out = linearOutput(x, outF, inF, b);
  if (rows > 0 && inF > 0) {
    deviceKernels(rt).gemmHalfB(xc.data as DeviceArray, xc.offset, w.data, 0, out.data as DeviceArray, 0,
      rows, outF, inF, false, true, inF, inF, outF, 1, b ? 1 : 0, 1, 0, 0, 0);
  }
  return out;
}

/** Give the matrix's buffer back to its device's pool. */
export function freeHalfMatrix(w: HalfMatrix): void {
  freeDevice(w.data);
}
