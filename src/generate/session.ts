/**
 * generate/session.ts — the batched, KV-cached decoding engine under `generate`: R rows (streams),
 * each a prompt followed by the ids fed to it one step at a time.
 *
 *   await DecodeSession.open(model, prompts)  left-pads the prompts to one length (tokenMask 0 on
 *                                      the padding: no position, never attended) and prefills them
 *   logits(r)                          row r's next-token logits (V), as float64
 *   select(rows)                       fork / reorder / drop rows (KVCache.select)
 *   await step(ids)                    feed one id per row, compute the next logits
 *
 * Where the model's parameters live, the session runs: with a model on a GPU (built and loaded
 * under onDevice) the KV cache stays there too and each forward reads back only the (R, V) logits
 * of the last position — one wait per step.
 *
 * Classifier-free guidance is just a session over [cond prompts; uncond prompts]: one forward
 * per step for both streams. Each row decodes exactly as it would alone (kv_cache.ts).
 * Logits shape per forward: (R, t, V); only the last position of each row is kept.
 */
import { checkTokenIds, type CM3Leon } from '../model/cm3leon.js';
import type { KVCache } from '../model/kv_cache.js';
import type { GpuRuntime } from '../backend/webgpu/runtime.js';
import { onDevice, tensor, tidy } from '../tensor/index.js';

export interface SessionOptions {
  /** Ids the session will be fed after the prompts (sizes the cache: longest prompt + this). */
  maxNewTokens: number;
  /** Id placed in padding slots (masked out; any valid id). Default 0. */
  padId?: number;
}

export class DecodeSession {
  private cache: KVCache;
  /** (R, V) next-token logits of every row. */
  private last: Float32Array;
  readonly V: number;
  /** Real (non-padding) tokens per row so far: the position of the row's next token. */
  get positions(): Int32Array { return this.cache.positions; }
  get rows(): number { return this.cache.batch; }
  get contextLength(): number { return this.model.config.contextLength; }

  private constructor(readonly model: CM3Leon, private readonly rt: GpuRuntime | null, cache: KVCache) {
    this.V = model.config.vocab;
    this.cache = cache;
    this.last = new Float32Array(cache.batch * this.V);
  }

  /** Prefill the prompts; the session decodes where the model's parameters live (host or GPU). */
  static async open(model: CM3Leon, prompts: readonly (readonly number[])[], o: SessionOptions): Promise<DecodeSession> {
    if (prompts.length === 0) throw new RangeError('DecodeSession: needs at least one prompt');
    prompts.forEach((p, i) => { if (p.length === 0) throw new RangeError(`DecodeSession: prompt ${i} is empty`); });
    if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 0) throw new RangeError(`DecodeSession: maxNewTokens must be an integer >= 0, got ${o.maxNewTokens}`);
    const R = prompts.length, T = Math.max(...prompts.map((p) => p.length)), pad = o.padId ?? 0;
    const ids = new Int32Array(R * T), mask = new Float32Array(R * T);
    prompts.forEach((p, r) => {
      const off = T - p.length; // left padding
      for (let j = 0; j < T; j++) { ids[r * T + j] = j < off ? pad : p[j - off]; mask[r * T + j] = j < off ? 0 : 1; }
    });
    const rt = model.parameters().find((p) => !p.disposed)?.device ?? null;
    const s = new DecodeSession(model, rt, onDevice(rt, () => model.createCache(R, T + o.maxNewTokens)));
    try {
      await s.forward(ids, T, prompts.some((p) => p.length < T) ? mask : undefined);
    } catch (e) {
      s.dispose();
      throw e;
    }
    return s;
  }

  private async forward(ids: Int32Array, t: number, mask?: Float32Array): Promise<void> {
    const R = this.cache.batch;
    // Checked on the host array, before anything is recorded: on a GPU a bad id would only surface
    // at the read, after the cache had advanced.
    checkTokenIds(ids, this.V, 'DecodeSession');
    // Only the last position's logits: the head over a whole prompt is wasted work.
    const logits = onDevice(this.rt, () => tidy(() => this.model.forwardCached(tensor(ids, [R, t], 'i32'), this.cache, { lastOnly: true, ...(mask ? { tokenMask: mask } : {}) })));
    try {
      this.last.set(await logits.read()); // (R, 1, V)
    } finally {
      logits.dispose();
    }
  }

  /** Row r's next-token logits (a copy). */
  logits(r: number): Float64Array {
    if (!(r >= 0 && r < this.rows)) throw new RangeError(`DecodeSession.logits: row ${r} outside [0, ${this.rows})`);
    return Float64Array.from(this.last.subarray(r * this.V, (r + 1) * this.V));
  }

  /** New row i = old row rows[i] (cache and logits); the old cache is released. */
  select(rows: readonly number[]): void {
    const next = this.cache.select(rows), V = this.V, last = new Float32Array(rows.length * V);
    rows.forEach((r, i) => last.set(this.last.subarray(r * V, (r + 1) * V), i * V));
    this.cache.dispose();
    this.cache = next;
    this.last = last;
  }

  /** Feed one id per row (length R) and compute the next logits. */
  async step(ids: readonly number[]): Promise<void> {
    if (ids.length !== this.rows) throw new RangeError(`DecodeSession.step: ${ids.length} ids for ${this.rows} rows`);
    await this.forward(Int32Array.from(ids), 1);
  }

  dispose(): void { this.cache.dispose(); }
}
