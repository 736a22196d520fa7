/**
 * nn/transformer.ts — the pre-LayerNorm transformer block shared by every model here: fused qkv
 * self-attention (causal for language models, bidirectional for the image tokenizer) and an MLP
 * (GELU by default, ReLU as OPT), each on a residual. Parameter names follow GPT-2 (ln1, attn.qkv,
 * attn.proj, ln2, mlp.fc, mlp.proj) so PyTorch state dicts map one to one. Causal blocks also run
 * incrementally against a key/value cache (forwardCached) for decoding.
 */
import {
  add, attention, copyInto, gelu, relu, reshape, selfAttention, slice, unflatten, type Rng, type Tensor,
} from '../tensor/index.js';
import { LayerNorm, Linear } from './layers.js';
import { Module, ModuleDict } from './module.js';

export type Activation = 'gelu' | 'relu';

export interface BlockConfig {
  dModel: number;
  heads: number;
  mlpHidden: number;
  bias: boolean;
  affineNorm: boolean;
  initStd: number;
  causal: boolean;
  dtype?: 'f32' | 'f64';
  /** MLP nonlinearity (default 'gelu'). */
  activation?: Activation;
  /** Initialise the residual-branch output projections (attn.proj, mlp.proj) to zero (CM3Leon). */
  zeroInitOut?: boolean;
}

/** One layer's cached keys and values: k, v (B, capacity, H, D) contiguous, filled on [0, length). */
export interface LayerKV { k: Tensor; v: Tensor }

export class TransformerBlock extends Module {
  readonly ln1: LayerNorm; readonly qkv: Linear; readonly proj: Linear;
  readonly ln2: LayerNorm; readonly fc: Linear; readonly mlpProj: Linear;
  constructor(private readonly c: BlockConfig, rng: Rng) {
    super();
    if (c.dModel % c.heads !== 0) throw new RangeError(`dModel ${c.dModel} is not divisible by heads ${c.heads}`);
    const o = { rng, std: c.initStd, bias: c.bias, dtype: c.dtype };
    const out = { ...o, zeroInit: c.zeroInitOut ?? false };
    this.ln1 = this.addModule('ln1', new LayerNorm(c.dModel, { affine: c.affineNorm, dtype: c.dtype }));
    const attn = this.addModule('attn', new ModuleDict());
    this.qkv = attn.set('qkv', new Linear(c.dModel, 3 * c.dModel, o));
    this.proj = attn.set('proj', new Linear(c.dModel, c.dModel, out));
    this.ln2 = this.addModule('ln2', new LayerNorm(c.dModel, { affine: c.affineNorm, dtype: c.dtype }));
    const mlp = this.addModule('mlp', new ModuleDict());
    this.fc = mlp.set('fc', new Linear(c.dModel, c.mlpHidden, o));
    this.mlpProj = mlp.set('proj', new Linear(c.mlpHidden, c.dModel, out));
  }

  /** x (B, T, C) -> (B, T, C); keyMask (B, T): 1 = attend, 0 = padding. */
  forward(x: Tensor, keyMask: Tensor | null = null): Tensor {
    const qkv = this.qkv.forward(this.ln1.forward(x)); // (B, T, 3C)
    const y = selfAttention(qkv, this.c.heads, { causal: this.c.causal, keyMask }); // (B, T, C)
    return this.mlpResidual(add(x, this.proj.forward(y)));
  }

  /**
   * Incremental causal forward for decoding (call under noGrad: the cache writes are not recorded).
   * x (B, t, C) holds the new tokens at cache slots [start, start + t); their keys and values are
   * written into `kv`, and each new query attends to slots [0, start + i] (the attention kernel's
   * causal offset Tk - Tq). keyMask (B, start + t): 1 = token, 0 = padding, or null for none.
   */
  forwardCached(x: Tensor, kv: LayerKV, start: number, keyMask: Tensor | null = null): Tensor {
    if (!this.c.causal) throw new Error('TransformerBlock.forwardCached: needs a causal block');
    const [B, t, C] = x.shape, H = this.c.heads, D = C / H, end = start + t;
    if (kv.k.shape[0] !== B || kv.k.shape[2] !== H || kv.k.shape[3] !== D || end > kv.k.shape[1]) {
      throw new RangeError(`TransformerBlock.forwardCached: cache [${kv.k.shape.join(', ')}] cannot take x [${x.shape.join(', ')}] at slot ${start}`);
    }
    const qkv = this.qkv.forward(this.ln1.forward(x)); // (B, t, 3C)
    const part = (i: number) => unflatten(slice(qkv, 2, i * C, (i + 1) * C), 2, [H, D]); // (B, t, H, D) views
    copyInto(slice(kv.k, 1, start, end), part(1), false);
    copyInto(slice(kv.v, 1, start, end), part(2), false);
    const y = attention(part(0), slice(kv.k, 1, 0, end), slice(kv.v, 1, 0, end), { causal: true, keyMask }); // (B, t, H, D)
    return this.mlpResidual(add(x, this.proj.forward(reshape(y, [B, t, C]))));
  }

  private mlpResidual(x: Tensor): Tensor {
    const h = this.fc.forward(this.ln2.forward(x));
    return add(x, this.mlpProj.forward(this.c.activation === 'relu' ? relu(h) : gelu(h)));
  }
}
