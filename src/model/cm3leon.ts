/**
 * model/cm3leon.ts — the CM3Leon decoder (paper §4): a pre-LN, decoder-only transformer over the
 * mixed-modal vocabulary, OPT-like but with no bias terms anywhere, no dropout, LayerNorm without
 * learned parameters and learned absolute position embeddings (truncated normal, std 2e-4).
 * Weights and token embeddings are truncated normal (std 0.006, ±3σ); the output layers start
 * at zero: the attention out-projection and MLP down-projection of every block, and (config
 * zeroInitHead, default on) the untied LM head, so the initial logits are uniform.
 *
 * forward/loss/tokenLosses serve training and evaluation; createCache + forwardCached decode
 * incrementally with a KV cache (see kv_cache.ts for row forking and padding).
 */
import { Embedding, LayerNorm, Linear } from '../nn/layers.js';
import { Module, ModuleDict } from '../nn/module.js';
import { TransformerBlock } from '../nn/transformer.js';
import {
  add, arange, contiguous, copyInto, crossEntropy, noGrad, onDevice, Rng, slice, tensor, tidy, type Tensor,
} from '../tensor/index.js';
import { validateCM3LeonConfig, type CM3LeonConfig } from './cm3leon_config.js';
import { KVCache } from './kv_cache.js';

export { type CM3LeonConfig } from './cm3leon_config.js';
export { KVCache } from './kv_cache.js';

export interface CachedForwardOpts {
  /**
   * (B * t) values, row-major over the new tokens: 1 = token, 0 = padding (left padding for
   * prompts of different lengths). Padding is never attended to and takes no position.
   */
  tokenMask?: ArrayLike<number>;
  /** Logits of the last new position only, (B, 1, V): what decoding needs after a prefill. */
  lastOnly?: boolean;
}

export class CM3Leon extends Module {
  readonly wte: Embedding; readonly wpe: Embedding; readonly blocks: TransformerBlock[];
  readonly lnF: LayerNorm; readonly head: Linear;
  readonly config: CM3LeonConfig;

  constructor(config: CM3LeonConfig) {
    super();
    const c = (this.config = validateCM3LeonConfig({ ...config })), rng = new Rng(c.seed);
    this.wte = this.addModule('wte', new Embedding(c.vocab, c.dModel, { rng, std: c.initStd }));
    this.wpe = this.addModule('wpe', new Embedding(c.contextLength, c.dModel, { rng, std: c.positionInitStd }));
    const h = this.addModule('h', new ModuleDict());
    const block = {
      dModel: c.dModel, heads: c.heads, mlpHidden: c.mlpHidden, activation: c.activation, initStd: c.initStd,
      bias: false, affineNorm: false, causal: true, zeroInitOut: true,
    };
    this.blocks = Array.from({ length: c.layers }, (_, i) => h.set(String(i), new TransformerBlock(block, rng)));
    this.lnF = this.addModule('ln_f', new LayerNorm(c.dModel, { affine: false }));
    this.head = this.addModule('lm_head', new Linear(c.dModel, c.vocab, { rng, std: c.initStd, bias: false, zeroInit: c.zeroInitHead }));
  }

  /** ids (B, T) i32 with T <= contextLength -> logits (B, T, V). */
  forward(ids: Tensor): Tensor {
    this.checkIds(ids, 'forward');
    let x = add(this.wte.forward(ids), this.wpe.forward(arange(ids.shape[1])));
    for (const b of this.blocks) x = b.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /**
   * Weighted mean next-token cross-entropy: sum w * nll / sum w over targets != -100. targets
   * (B, T) i32; weights (B, T) float or null (all 1). Zero weights drop tokens, so per-modality
   * losses are loss(ids, targets, imageMask) and loss(ids, targets, textMask).
   */
  loss(ids: Tensor, targets: Tensor, weights: Tensor | null = null): Tensor {
    return crossEntropy(this.forward(ids), targets, { weights });
  }

  /**
   * Per-token negative log-likelihoods (B * T, row-major) without gradients, for evaluation: one
   * forward serves any split (text vs image targets). Targets equal to -100 give NaN.
   */
  tokenLosses(ids: Tensor, targets: Tensor): Float64Array {
    return noGrad(() => tidy(() => {
      const logits = this.forward(ids), V = this.config.vocab;
      const x = contiguous(logits).flat(), t = targets.flat();
      if (t.length * V !== x.length) throw new RangeError(`CM3Leon.tokenLosses: targets [${targets.shape.join(', ')}] do not match ids [${ids.shape.join(', ')}]`);
      const out = new Float64Array(t.length);
      for (let r = 0; r < t.length; r++) {
        if (t[r] === -100) { out[r] = NaN; continue; }
        if (!Number.isInteger(t[r]) || t[r] < 0 || t[r] >= V) throw new RangeError(`CM3Leon.tokenLosses: target ${t[r]} outside [0, ${V})`);
        let m = -Infinity, s = 0;
        for (let j = r * V; j < (r + 1) * V; j++) if (x[j] > m) m = x[j];
        for (let j = r * V; j < (r + 1) * V; j++) s += Math.exp(x[j] - m);
        out[r] = m + Math.log(s) - x[r * V + t[r]];
      }
      return out;
    }));
  }

  /** An empty KV cache for `batch` rows; capacity (slots per row) defaults to contextLength. */
  createCache(batch: number, capacity = this.config.contextLength): KVCache {
    const c = this.config;
    return new KVCache({ batch, capacity, layers: c.layers, heads: c.heads, headDim: c.dModel / c.heads });
  }

  /**
   * Decode incrementally: ids (B, t) are the next t tokens of every row (t > 1 for a prefill, 1 per
   * sampling step); their keys/values are appended to `cache` and logits (B, t, V) returned.
   * Positions continue from the cache. Runs without gradients. Throws (leaving the cache as it
   * was) when a row would pass contextLength or the cache is full.
   */
  forwardCached(ids: Tensor, cache: KVCache, opts: CachedForwardOpts = {}): Tensor {
    cache.check();
    const [B, t] = ids.shape, start = cache.length, ctx = this.config.contextLength;
    this.checkIds(ids, 'forwardCached', false);
    if (B !== cache.batch) throw new RangeError(`CM3Leon.forwardCached: ids have ${B} rows, the cache ${cache.batch}`);
    if (start + t > cache.capacity) {
      throw new RangeError(`CM3Leon.forwardCached: ${start} cached + ${t} new slots exceed the cache capacity ${cache.capacity}`);
    }
    const keep = opts.tokenMask;
    if (keep && keep.length !== B * t) throw new RangeError(`CM3Leon.forwardCached: tokenMask needs ${B * t} values, got ${keep.length}`);
    const pos = new Int32Array(B * t), next = Int32Array.from(cache.positions);
    let padded = cache.padded;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < t; j++) {
        const real = !keep || keep[b * t + j] !== 0;
        padded ||= !real;
        pos[b * t + j] = real ? next[b]++ : Math.min(next[b], ctx - 1);
      }
      if (next[b] > ctx) {
        throw new RangeError(`CM3Leon.forwardCached: row ${b} would reach ${next[b]} tokens, past the context length ${ctx}`);
      }
    }
    // The new slots' mask, (B, t) into the cache's (B, capacity): one strided copy, which on a GPU
    // is one upload and one dispatch instead of a write per row.
    const block = new Float32Array(B * t);
    for (let i = 0; i < B * t; i++) block[i] = !keep || keep[i] !== 0 ? 1 : 0;
    onDevice(cache.mask.device, () => noGrad(() => tidy(() => {
      copyInto(slice(cache.mask, 1, start, start + t), tensor(block, [B, t], cache.mask.dtype), false);
      return null;
    })));
    const logits = noGrad(() => tidy(() => {
      const keyMask = padded ? contiguous(slice(cache.mask, 1, 0, start + t)) : null;
      let x = add(this.wte.forward(ids), this.wpe.forward(tensor(pos, [B, t], 'i32')));
      this.blocks.forEach((blk, l) => { x = blk.forwardCached(x, cache.layers[l], start, keyMask); });
      if (opts.lastOnly && t > 1) x = contiguous(slice(x, 1, t - 1, t));
      return this.head.forward(this.lnF.forward(x));
    }));
    cache.positions.set(next);
    cache.length = start + t;
    cache.padded = padded;
    return logits;
  }

  private checkIds(ids: Tensor, what: string, checkLength = true): void {
    if (ids.ndim !== 2 || ids.dtype !== 'i32' || ids.shape[1] < 1 || (checkLength && ids.shape[1] > this.config.contextLength)) {
      throw new RangeError(`CM3Leon.${what}: ids must be (B, T) i32 with 1 <= T <= ${this.config.contextLength}, got ${ids.dtype} [${ids.shape.join(', ')}]`);
    }
    // Ids on a GPU are checked there (the embedding gather's deferred check, thrown at the next read).
    if (!ids.onDevice) checkTokenIds(ids.flat(), this.config.vocab, `CM3Leon.${what}`);
  }
}

/** Every id in [0, V), else a RangeError naming the first one outside (host ids). */
export function checkTokenIds(ids: ArrayLike<number>, V: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < V)) throw new RangeError(`${what}: token id ${ids[i]} outside the vocabulary [0, ${V})`);
  }
}
