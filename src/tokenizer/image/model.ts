/**
 * tokenizer/image/model.ts — the VQ image tokenizer on the engine: a ViT-style patch transformer
 * encoder -> l2-normalised low-dimensional codes -> nearest entry of an l2-normalised codebook
 * (straight-through) -> a patch transformer decoder. Images are (B, S, S, 3) in [-1, 1].
 * Legend: B batch, N = G*G grid tokens, D code dim, C model width, K codebook size.
 */
import { LayerNorm, Linear } from '../../nn/layers.js';
import { Module, ModuleDict } from '../../nn/module.js';
import { TransformerBlock } from '../../nn/transformer.js';
import {
  add, affine, detach, embedding, l2Normalize, mse, randn, Rng, tensor, truncNormal, vectorQuantize, type Tensor,
} from '../../tensor/index.js';
import { gridSize, type ImageTokenizerConfig } from './config.js';
import { patchify, unpatchify } from './patches.js';

class Tower extends Module {
  readonly inProj: Linear; readonly pos: Tensor; readonly blocks: TransformerBlock[]; readonly norm: LayerNorm; readonly outProj: Linear;
  constructor(c: ImageTokenizerConfig, inDim: number, outDim: number, layers: number, rng: Rng) {
    super();
    const N = gridSize(c) ** 2;
    this.inProj = this.addModule('in_proj', new Linear(inDim, c.dModel, { rng, std: 0.02 }));
    this.pos = this.addParam('pos', truncNormal([N, c.dModel], { rng, std: 0.02, bound: 3 }));
    const h = this.addModule('h', new ModuleDict());
    this.blocks = Array.from({ length: layers }, (_, i) => h.set(String(i), new TransformerBlock(
      { dModel: c.dModel, heads: c.heads, mlpHidden: c.mlpHidden, bias: true, affineNorm: true, initStd: 0.02, causal: false }, rng)));
    this.norm = this.addModule('norm', new LayerNorm(c.dModel));
    this.outProj = this.addModule('out_proj', new Linear(c.dModel, outDim, { rng, std: 0.02 }));
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
  readonly encoder: Tower; readonly decoder: Tower; readonly codebook: Tensor;
  constructor(readonly config: ImageTokenizerConfig) {
    super();
    const c = config, rng = new Rng(c.seed), pdim = c.patch * c.patch * 3;
    gridSize(c);
    this.encoder = this.addModule('encoder', new Tower(c, pdim, c.codeDim, c.encoderLayers, rng));
    this.decoder = this.addModule('decoder', new Tower(c, c.codeDim, pdim, c.decoderLayers, rng));
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
    return unpatchify(this.decoder.forward(z), this.config.patch);
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
  decodeIndices(indices: number[][]): Tensor {
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
