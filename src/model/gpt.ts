/**
 * model/gpt.ts — a GPT-style pre-LayerNorm decoder on the engine: token + learned position
 * embeddings, blocks of causal self-attention (one fused qkv projection) and a GELU MLP, final
 * norm, untied LM head. Bias and norm affinity are switches so the same code serves the
 * engine's PyTorch golden/benchmark model and the CM3Leon variant (no bias, non-affine LN).
 */
import { Embedding, LayerNorm, Linear } from '../nn/layers.js';
import { Module, ModuleDict } from '../nn/module.js';
import {
  add, arange, crossEntropy, gelu, Rng, selfAttention, type Tensor,
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

class Block extends Module {
  readonly ln1: LayerNorm; readonly qkv: Linear; readonly proj: Linear;
  readonly ln2: LayerNorm; readonly fc: Linear; readonly mlpProj: Linear;
  constructor(private readonly c: GPTConfig, rng: Rng) {
    super();
    const o = { rng, std: c.initStd, bias: c.bias, dtype: c.dtype };
    this.ln1 = this.addModule('ln1', new LayerNorm(c.dModel, { affine: c.affineNorm, dtype: c.dtype }));
    const attn = this.addModule('attn', new ModuleDict());
    this.qkv = attn.set('qkv', new Linear(c.dModel, 3 * c.dModel, o));
    this.proj = attn.set('proj', new Linear(c.dModel, c.dModel, o));
    this.ln2 = this.addModule('ln2', new LayerNorm(c.dModel, { affine: c.affineNorm, dtype: c.dtype }));
    const mlp = this.addModule('mlp', new ModuleDict());
    this.fc = mlp.set('fc', new Linear(c.dModel, c.mlpHidden, o));
    this.mlpProj = mlp.set('proj', new Linear(c.mlpHidden, c.dModel, o));
  }

  forward(x: Tensor): Tensor {
    const H = this.c.heads;
    const qkv = this.qkv.forward(this.ln1.forward(x)); // (B, T, 3C)
    const y = selfAttention(qkv, H, { causal: true }); // (B, T, C)
    x = add(x, this.proj.forward(y));
    return add(x, this.mlpProj.forward(gelu(this.fc.forward(this.ln2.forward(x)))));
  }
}

export class GPT extends Module {
  readonly wte: Embedding; readonly wpe: Embedding; readonly blocks: Block[]; readonly lnF: LayerNorm; readonly head: Linear;

  constructor(readonly config: GPTConfig) {
    super();
    const c = config, rng = new Rng(c.seed);
    if (c.dModel % c.heads !== 0) throw new RangeError(`GPT: dModel ${c.dModel} is not divisible by heads ${c.heads}`);
    this.wte = this.addModule('wte', new Embedding(c.vocab, c.dModel, { rng, std: c.initStd, dtype: c.dtype }));
    this.wpe = this.addModule('wpe', new Embedding(c.seq, c.dModel, { rng, std: c.initStd, dtype: c.dtype }));
    const h = this.addModule('h', new ModuleDict());
    this.blocks = [];
    for (let i = 0; i < c.layers; i++) this.blocks.push(h.set(String(i), new Block(c, rng)));
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
