/**
 * nn/layers.ts — Linear (bias optional), Embedding, LayerNorm (affine optional) and RMSNorm.
 * Weights follow PyTorch layouts so state dicts map one to one.
 */
import {
  embedding, layerNorm, linear, linearHalf, ones, rmsNorm, truncNormal, zeros, type HalfMatrix, type Rng, type Tensor,
} from '../tensor/index.js';
import { Module } from './module.js';

export interface InitOpts { rng: Rng; std?: number; dtype?: 'f32' | 'f64' }

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: InitOpts & { bias?: boolean; zeroInit?: boolean }) {
    super();
    const dtype = opts.dtype ?? 'f32';
    this.weight = this.addParam('weight', opts.zeroInit
      ? zeros([outFeatures, inFeatures], dtype)
      : truncNormal([outFeatures, inFeatures], { rng: opts.rng, std: opts.std ?? 0.02, bound: 3, dtype }));
    this.bias = opts.bias === false ? null : this.addParam('bias', zeros([outFeatures], dtype));
  }
  /** The weight as packed f16 on the GPU instead of `weight` (nn/half.ts; inference only). */
  half: HalfMatrix | null = null;
  forward(x: Tensor): Tensor {
    return this.half ? linearHalf(x, this.half, this.bias) : linear(x, this.weight, this.bias);
  }
}

export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly num: number, readonly dim: number, opts: InitOpts) {
    super();
    this.weight = this.addParam('weight', truncNormal([num, dim], { rng: opts.rng, std: opts.std ?? 0.02, bound: 3, dtype: opts.dtype ?? 'f32' }));
  }
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(readonly dim: number, opts: { affine?: boolean; eps?: number; dtype?: 'f32' | 'f64' } = {}) {
    super();
    const affine = opts.affine ?? true, dtype = opts.dtype ?? 'f32';
    this.eps = opts.eps ?? 1e-5;
    this.weight = affine ? this.addParam('weight', ones([dim], dtype)) : null;
    this.bias = affine ? this.addParam('bias', zeros([dim], dtype)) : null;
  }
  readonly eps: number;
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export class RMSNorm extends Module {
  readonly weight: Tensor;
  constructor(readonly dim: number, readonly eps = 1e-6, dtype: 'f32' | 'f64' = 'f32') {
    super();
    this.weight = this.addParam('weight', ones([dim], dtype));
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}
