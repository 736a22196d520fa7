/**
 * model/gpt.ts — a GPT-style pre-LayerNorm decoder on the engine: token + learned position
 * embeddings, blocks of causal self-attention (one fused qkv projection) and a GELU MLP, final
 * norm, untied LM head. Bias and norm affinity are switches so the same code serves the
 * engine's PyTorch golden/benchmark model and the CM3Leon variant (no bias, non-affine LN).
 */
import { Embedding, LayerNorm, Linear } from '../nn/layers.js';
import { Module, ModuleDict } from '../nn/module.js';
import { TransformerBlock } from '../nn/transformer.js';
import {
  add, arange, crossEntropy, Rng, type Tensor,
} from '../tensor/index.js';

export interface GPTConfig {
  vocab: number;
  seq: number;
  dModel: number;
  layers: number;
  heads: number;
  mlpHidden: number;
  bias: boolean;
  affineNorm: boolean;
  initStd: number;
  seed: number;
  dtype?: 'f32' | 'f64';
}

export class GPT extends Module {
  readonly wte: Embedding; readonly wpe: Embedding; readonly blocks: TransformerBlock[]; readonly lnF: LayerNorm; readonly head: Linear;

  constructor(readonly config: GPTConfig) {
    super();
    const c = config, rng = new Rng(c.seed);
    if (c.dModel % c.heads !== 0) throw new RangeError(`GPT: dModel ${c.dModel} is not divisible by heads ${c.heads}`);
    this.wte = this.addModule('wte', new Embedding(c.vocab, c.dModel, { rng, std: c.initStd, dtype: c.dtype }));
    this.wpe = this.addModule('wpe', new Embedding(c.seq, c.dModel, { rng, std: c.initStd, dtype: c.dtype }));
    const h = this.addModule('h', new ModuleDict());
    this.blocks = [];
    for (let i = 0; i < c.layers; i++) this.blocks.push(h.set(String(i), new TransformerBlock({ ...c, causal: true }, rng)));
    this.lnF = this.addModule('ln_f', new LayerNorm(c.dModel, { affine: c.affineNorm, dtype: c.dtype }));
    this.head = this.addModule('lm_head', new Linear(c.dModel, c.vocab, { rng, std: c.initStd, bias: false, dtype: c.dtype }));
  }

  /** ids (B, T) i32 -> logits (B, T, V). */
  forward(ids: Tensor): Tensor {
    const T = ids.shape[1];
    if (ids.ndim !== 2 || T > this.config.seq) {
      throw new RangeError(`GPT: ids must be (B, T) with T <= ${this.config.seq}, got [${ids.shape.join(', ')}]`);
    }
    let x = add(this.wte.forward(ids), this.wpe.forward(arange(T)));
    for (const b of this.blocks) x = b.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /** Mean cross-entropy of next-token targets (B, T) (ignore index -100). */
  loss(ids: Tensor, targets: Tensor): Tensor {
    const logits = this.forward(ids);
    return crossEntropy(logits, targets);
  }
}
