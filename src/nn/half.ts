/**
 * nn/half.ts — half-precision inference weights on a GPU: every Linear of a model resident on a
 * WebGPU device gets its weight packed as f16 there (Linear.half) and the f32 copy is released,
 * halving the weight memory and the bytes a decoding step reads (the skinny GEMM is bandwidth
 * bound). Activations, embeddings, norms, biases, the KV cache and all sums stay f32. Rounding is
 * done on the host (round to nearest even, tensor/half.ts), so a CPU model with the same weights
 * rounded (roundHalf) computes the same function. The model is then inference-only: training,
 * gradients and checkpoints need the f32 weights (reload them).
 */
import { freeHalfMatrix, toHalfMatrix, type HalfMatrix } from '../tensor/index.js';
import { Linear } from './layers.js';
import type { Module } from './module.js';

export interface HalfReport {
  /** Linear weights converted. */
  matrices: number;
  /** Their elements. */
  elements: number;
  /** Device bytes given back (f32 - f16 storage). */
  bytesSaved: number;
}

/**
 * Store every Linear weight of `model` (which must live on a GPU) as f16; returns what changed.
 * All weights are packed before any is swapped, so a weight outside the f16 range (named in the
 * error) leaves the model as it was.
 */
export async function useHalfWeights(model: Module): Promise<HalfReport> {
  const linears = [...new Set(model.modules().filter((m): m is Linear => m instanceof Linear && !m.half))];
  if (linears.some((l) => !l.weight.onDevice)) {
    throw new Error('f16 weights are a GPU storage option: load the model on a WebGPU device first (--device webgpu)');
  }
  const names = new Map(model.namedParameters().map(([n, p]) => [p, n]));
  const packed: HalfMatrix[] = [];
  try {
    for (const lin of linears) packed.push(await toHalfMatrix(lin.weight, names.get(lin.weight) ?? 'Linear weight'));
  } catch (e) {
    packed.forEach(freeHalfMatrix);
    throw e;
  }
  const report: HalfReport = { matrices: 0, elements: 0, bytesSaved: 0 };
  linears.forEach((lin, i) => {
    lin.half = packed[i];
    report.matrices++;
    report.elements += lin.weight.size;
    report.bytesSaved += lin.weight.size * 4 - packed[i].data.length * 4;
    lin.weight.release();
  });
  return report;
}
