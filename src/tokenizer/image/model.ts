/**
 * tokenizer/image/model.ts — the VQ image tokenizer on the engine: a ViT-style patch transformer
 * encoder -> l2-normalised low-dimensional codes -> nearest entry of an l2-normalised codebook
 * (straight-through) -> a patch transformer decoder, optionally followed by an upsampling stage
 * that refines a 2x finer grid of half-size patches. Images are (B, S, S, 3) in [-1, 1].
 * Legend: B batch, N = G*G grid tokens, D code dim, C model width, K codebook size.
 */
import { LayerNorm, Linear } from '../../nn/layers.js';
import { Module, ModuleDict } from '../../nn/module.js';
import { TransformerBlock } from '../../nn/transformer.js';
import {
  add, affine, detach, embedding, l2Normalize, mse, randn, reshape, Rng, tensor, truncNormal, vectorQuantize, type Tensor,
} from '../../tensor/index.js';
import { gridSize, type ImageTokenizerConfig } from './config.js';
import { patchify, unpatchify } from './patches.js';

interface TowerShape { tokens: number; dModel: number; heads: number; mlpHidden: number; layers: number }

/** A bidirectional pre-LN transformer over a fixed grid of tokens with learned positions. */
class Tower extends Module {
  readonly inProj: Linear; readonly pos: Tensor; readonly blocks: TransformerBlock[]; readonly norm: LayerNorm; readonly outProj: Linear;
  constructor(s: TowerShape, inDim: number, outDim: number, rng: Rng) {
    super();
    this.inProj = this.addModule('in_proj', new Linear(inDim, s.dModel, { rng, std: 0.02 }));
    this.pos = this.addParam('pos', truncNormal([s.tokens, s.dModel], { rng, std: 0.02, bound: 3 }));
    const h = this.addModule('h', new ModuleDict());
    this.blocks = Array.from({ length: s.layers }, (_, i) => h.set(String(i), new TransformerBlock(
      { dModel: s.dModel, heads: s.heads, mlpHidden: s.mlpHidden, bias: true, affineNorm: true, initStd: 0.02, causal: false }, rng)));
    this.norm = this.addModule('norm', new LayerNorm(s.dModel));
    this.outProj = this.addModule('out_proj', new Linear(s.dModel, outDim, { rng, std: 0.02 }));
  }
  /** (B, N, inDim) -> (B, N, outDim) */
  forward(x: Tensor): Tensor {
    let h = add(this.inProj.forward(x), this.pos);
    for (const b of this.blocks) h = b.forward(h);
    return this.outProj.forward(this.norm.forward(h));
  }
}

export interface VQOutput {
  recon: Tensor;
  indices: Tensor;
  loss: Tensor;
  reconLoss: Tensor;
  codebookLoss: Tensor;
  commitLoss: Tensor;
}

export class ImageTokenizerModel extends Module {
  readonly encoder: Tower; readonly decoder: Tower; readonly upsampler: Tower | null; readonly codebook: Tensor;
  constructor(readonly config: ImageTokenizerConfig) {
    super();
    const c = config, rng = new Rng(c.seed), pdim = c.patch * c.patch * 3, tokens = gridSize(c) ** 2;
    const main = { tokens, dModel: c.dModel, heads: c.heads, mlpHidden: c.mlpHidden };
    this.encoder = this.addModule('encoder', new Tower({ ...main, layers: c.encoderLayers }, pdim, c.codeDim, rng));
    const up = c.upLayers > 0;
    this.decoder = this.addModule('decoder', new Tower({ ...main, layers: c.decoderLayers }, c.codeDim, up ? 4 * c.upDModel : pdim, rng));
    this.upsampler = up ? this.addModule('upsampler', new Tower(
      { tokens: 4 * tokens, dModel: c.upDModel, heads: c.heads, mlpHidden: c.upMlpHidden, layers: c.upLayers }, c.upDModel, pdim / 4, rng)) : null;
    this.codebook = this.addParam('codebook', randn([c.codebookSize, c.codeDim], { rng }));
  }

  /** (B, S, S, 3) in [-1, 1] -> unit-length latents (B, N, D). */
  encode(x: Tensor): Tensor {
    return l2Normalize(this.encoder.forward(patchify(x, this.config.patch)), -1);
  }

  /** Unit-length codebook (K, D). */
  normalizedCodebook(): Tensor {
    return l2Normalize(this.codebook, -1);
  }

  /** Latents or codes (B, N, D) -> images (B, S, S, 3). */
  decode(z: Tensor): Tensor {
    const c = this.config, h = this.decoder.forward(z);
    if (!this.upsampler) return unpatchify(h, c.patch);
    // (B, N, 4*U) -> each grid token becomes its 2x2 block on the (2G)^2 grid -> (B, 4N, U)
    const fine = unpatchify(h, 2, c.upDModel);
    const [B, S2] = fine.shape;
    return unpatchify(this.upsampler.forward(reshape(fine, [B, S2 * S2, c.upDModel])), c.patch / 2);
  }

  forward(x: Tensor): VQOutput {
    const z = this.encode(x);
    const q = vectorQuantize(z, this.normalizedCodebook());
    const recon = this.decode(q.quantized);
    const reconLoss = mse(recon, x);
    const codebookLoss = mse(q.codes, detach(z));
    const commitLoss = mse(z, detach(q.codes));
    const loss = add(add(reconLoss, codebookLoss), affine(commitLoss, this.config.commitment));
    return { recon, indices: q.indices, loss, reconLoss, codebookLoss, commitLoss };
  }

  /** Codes (B, N) as ints -> images, without gradients. */
  decodeIndices(indices: readonly (readonly number[])[]): Tensor {
    const N = gridSize(this.config) ** 2;
    const flat: number[] = [];
    for (const row of indices) {
      if (row.length !== N) throw new RangeError(`decode: each image needs ${N} codes, got ${row.length}`);
      for (const i of row) {
        if (!Number.isInteger(i) || i < 0 || i >= this.config.codebookSize) throw new RangeError(`decode: code ${i} outside [0, ${this.config.codebookSize})`);
        flat.push(i);
      }
    }
    const cb = this.normalizedCodebook();
    const ids = tensor(flat, [indices.length, N], 'i32');
    return this.decode(embedding(cb, ids));
  }
}
