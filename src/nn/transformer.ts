/**
 * nn/transformer.ts — the pre-LayerNorm transformer block shared by every model here: fused qkv
 * self-attention (causal for language models, bidirectional for the image tokenizer) and a GELU
 * MLP, each on a residual. Parameter names follow GPT-2 (ln1, attn.qkv, attn.proj, ln2, mlp.fc,
 * mlp.proj) so PyTorch state dicts map one to one.
 */
import { add, gelu, selfAttention, type Rng, type Tensor } from '../tensor/index.js';
import { LayerNorm, Linear } from './layers.js';
import { Module, ModuleDict } from './module.js';

export interface BlockConfig {
  dModel: number;
  heads: number;
  mlpHidden: number;
  bias: boolean;
  affineNorm: boolean;
  initStd: number;
  causal: boolean;
  dtype?: 'f32' | 'f64';
}

export class TransformerBlock extends Module {
  readonly ln1: LayerNorm; readonly qkv: Linear; readonly proj: Linear;
  readonly ln2: LayerNorm; readonly fc: Linear; readonly mlpProj: Linear;
  constructor(private readonly c: BlockConfig, rng: Rng) {
    super();
    if (c.dModel % c.heads !== 0) throw new RangeError(`dModel ${c.dModel} is not divisible by heads ${c.heads}`);
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

  /** x (B, T, C) -> (B, T, C); keyMask (B, T): 1 = attend, 0 = padding. */
  forward(x: Tensor, keyMask: Tensor | null = null): Tensor {
    const qkv = this.qkv.forward(this.ln1.forward(x)); // (B, T, 3C)
    const y = selfAttention(qkv, this.c.heads, { causal: this.c.causal, keyMask }); // (B, T, C)
    x = add(x, this.proj.forward(y));
    return add(x, this.mlpProj.forward(gelu(this.fc.forward(this.ln2.forward(x)))));
  }
}
