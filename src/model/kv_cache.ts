/**
 * model/kv_cache.ts — the key/value cache for incremental decoding with CM3Leon.forwardCached.
 *
 * Every layer keeps k, v (B, capacity, H, D), preallocated and kept (they survive tidy()); slots
 * [0, length) are filled, the same count for every row. Rows may hold left padding (slots whose
 * mask is 0): padding is never attended to and does not advance the row's position, so a padded
 * row decodes exactly as it would alone. `positions[b]` is the position id row b's next real token
 * gets (learned absolute positions must stay < contextLength).
 *
 * Row surgery for sampling: `select(rows)` builds a new cache whose row i is a copy of row
 * rows[i] (repeats allowed). Prefill one prompt with batch 1, then select([0, 0, 0, 0]) to sample
 * four continuations; for classifier-free guidance prefill [cond; uncond] as one left-padded batch
 * of 2 (tokenMask in forwardCached), then select([0, 0, 0, 1, 1, 1]) for N = 3 samples of each and
 * feed every step's sampled token to both halves. select never merges two caches. The source
 * cache is untouched: dispose() it when no longer needed. Memory: 2 * L * B * capacity * d floats
 * (small preset: 4.7 MB per row at capacity 384). A cache made while a GPU is in use (onDevice)
 * lives there, and select copies rows on the device.
 */
import { copyStorage, onDevice, Tensor } from '../tensor/index.js';
import type { LayerKV } from '../nn/transformer.js';

export interface KVCacheShape {
  batch: number;
  /** Slots per row (padding included); at most the model's contextLength unless rows are padded. */
  capacity: number;
  layers: number;
  heads: number;
  headDim: number;
  dtype?: 'f32' | 'f64';
}

export class KVCache {
  readonly layers: LayerKV[];
  /** (B, capacity) float: 1 = token, 0 = padding; only slots [0, length) are meaningful. */
  readonly mask: Tensor;
  /** Per row: the position id of its next real token (= real tokens so far). */
  readonly positions: Int32Array;
  /** Filled slots per row. */
  length = 0;
  /** Whether any filled slot is padding (then attention gets the key mask). */
  padded = false;
  readonly batch: number;
  readonly capacity: number;

  constructor(readonly shape: KVCacheShape) {
    const { batch, capacity, layers, heads, headDim } = shape, dtype = shape.dtype ?? 'f32';
    for (const [k, v] of Object.entries({ batch, capacity, layers, heads, headDim })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`KVCache: ${k} must be a positive integer, got ${v}`);
    }
    this.batch = batch;
    this.capacity = capacity;
    const kv = () => Tensor.empty([batch, capacity, heads, headDim], dtype, true).keep();
    this.layers = Array.from({ length: layers }, () => ({ k: kv(), v: kv() }));
    this.mask = Tensor.empty([batch, capacity], dtype, true).keep();
    this.positions = new Int32Array(batch);
  }

  /** Floats held (keys + values + mask), for memory planning: 2 * L * B * capacity * H * D + B * capacity. */
  get floats(): number {
    const { batch, capacity, layers, heads, headDim } = this.shape;
    return 2 * layers * batch * capacity * heads * headDim + batch * capacity;
  }

  /** A new cache whose row i copies row rows[i] of this one (forking, reordering, dropping rows). */
  select(rows: readonly number[]): KVCache {
    this.check();
    if (rows.length === 0) throw new RangeError('KVCache.select: needs at least one row');
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= this.batch) throw new RangeError(`KVCache.select: row ${r} outside [0, ${this.batch})`);
    }
    // The new cache lives where this one does (host memory or its GPU).
    const out = onDevice(this.mask.device, () => new KVCache({ ...this.shape, batch: rows.length }));
    const row = this.capacity * this.shape.heads * this.shape.headDim, used = this.length * this.shape.heads * this.shape.headDim;
    for (let l = 0; l < this.layers.length; l++) {
      for (const key of ['k', 'v'] as const) {
        const src = this.layers[l][key].storage(), dst = out.layers[l][key].storage();
        rows.forEach((r, i) => copyStorage(dst, src.subarray(r * row, r * row + used), i * row));
      }
    }
    const mask = this.mask.storage(), outMask = out.mask.storage();
    rows.forEach((r, i) => {
      copyStorage(outMask, mask.subarray(r * this.capacity, r * this.capacity + this.length), i * this.capacity);
      out.positions[i] = this.positions[r];
    });
    out.length = this.length;
    out.padded = this.padded;
    return out;
  }

  /** Return the buffers to the pool; the cache is unusable afterwards. */
  dispose(): void {
    for (const { k, v } of this.layers) { k.release(); v.release(); }
    this.mask.release();
  }

  check(): this {
    if (this.mask.disposed) throw new Error('KVCache: this cache was disposed');
    return this;
  }
}
