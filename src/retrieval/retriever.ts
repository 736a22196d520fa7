/**
 * retrieval/retriever.ts — Retriever: the trained bi-encoder as an embedder. Texts go through the
 * committed BPE (truncated to maxTextLen, padded per batch); images are 8-bit RGB at imageSize.
 * A document's embedding is the average of its unit text and unit image embeddings (paper §3);
 * a text-only query uses the text tower.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mergeConfig } from '../config/config.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { readSafetensors } from '../io/safetensors.js';
import { noGrad, tensor, Tensor, tidy } from '../tensor/index.js';
import { toTensor } from '../tokenizer/image/pixels.js';
import type { TextTokenizer } from '../tokenizer/text/index.js';
import { RETRIEVER_PRESETS, RetrieverModel, type RetrieverConfig } from './clip.js';

/** A text's ids as the text tower reads them: cut to maxTextLen, an empty text as one space. */
function towerIds(tok: TextTokenizer, text: string, c: RetrieverConfig): number[] {
  if (tok.vocabSize !== c.textVocab) throw new RangeError(`retriever expects a text vocabulary of ${c.textVocab}, the tokenizer has ${tok.vocabSize}`);
  const ids = tok.encode(text).slice(0, c.maxTextLen);
  return ids.length ? ids : [tok.encode(' ')[0]];
}

/** Ids (B, T) padded with textVocab and the mask (B, T), T = longest caption in the batch. */
export function textBatch(tok: TextTokenizer, texts: readonly string[], c: RetrieverConfig): { ids: Tensor; mask: Tensor } {
  const seqs = texts.map((t) => towerIds(tok, t, c));
  return textBatchFromIds(seqs, Math.max(...seqs.map((s) => s.length)), c);
}

/** Same from id lists (already truncated), e.g. after query-token dropout. */
export function textBatchFromIds(seqs: readonly (readonly number[])[], T: number, c: RetrieverConfig): { ids: Tensor; mask: Tensor } {
  const ids = new Int32Array(seqs.length * T), mask = new Float32Array(seqs.length * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = t < s.length ? s[t] : c.textVocab;
      mask[b * T + t] = t < s.length ? 1 : 0;
    }
  });
  return { ids: tensor(ids, [seqs.length, T], 'i32'), mask: tensor(mask, [seqs.length, T]) };
}

export class Retriever {
  readonly config: RetrieverConfig;
  constructor(readonly model: RetrieverModel, readonly text: TextTokenizer, readonly id: string, readonly batch = 128) {
    this.config = model.config;
  }

  static load(path: string, text: TextTokenizer): Retriever {
    const file = readSafetensors(path);
    const config = mergeConfig(RETRIEVER_PRESETS.small as unknown as Record<string, number>,
      JSON.parse(file.metadata.config ?? '{}') as Record<string, unknown>, 'retriever') as unknown as RetrieverConfig;
    const model = new RetrieverModel(config);
    loadCheckpoint(path, model);
    const id = `retriever-${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12)}`;
    return new Retriever(model, text, id);
  }

  get dim(): number {
    return this.config.embedDim;
  }

  private chunks<T>(xs: readonly T[], f: (chunk: readonly T[]) => Float32Array): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < xs.length; i += this.batch) this.rows(noGrad(() => tidy(() => f(xs.slice(i, i + this.batch)))), out);
    return out;
  }

  /** chunks() for a model on a GPU (or the host): each chunk's embeddings are read back. */
  private async chunksRead<T>(xs: readonly T[], f: (chunk: readonly T[]) => Tensor): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < xs.length; i += this.batch) {
      const t = noGrad(() => tidy(() => f(xs.slice(i, i + this.batch))));
      this.rows(Float32Array.from(await t.read()), out);
      t.dispose();
    }
    return out;
  }

  private rows(flat: Float32Array, out: Float32Array[]): void {
    const E = this.config.embedDim;
    for (let b = 0; b < flat.length / E; b++) out.push(flat.slice(b * E, (b + 1) * E));
  }

  /** embedTexts and embedImages for a model on a GPU (or the host), as [texts, images]. */
  async embedPairsRead(texts: readonly string[], images: readonly Uint8Array[]): Promise<[Float32Array[], Float32Array[]]> {
    const t = await this.chunksRead(texts.map((s) => towerIds(this.text, s, this.config)), (c) => {
      const { ids, mask } = textBatchFromIds(c, Math.max(...c.map((s) => s.length)), this.config);
      return this.model.text.forward(ids, mask);
    });
    return [t, await this.chunksRead(images, (c) => this.model.image.forward(toTensor(c, this.config.imageSize)))];
  }

  embedTexts(texts: readonly string[]): Float32Array[] {
    return this.embedTextIds(texts.map((t) => towerIds(this.text, t, this.config)));
  }

  /** Text-tower embeddings of id lists (non-empty, at most maxTextLen), e.g. after query dropout. */
  embedTextIds(seqs: readonly (readonly number[])[]): Float32Array[] {
    return this.chunks(seqs, (c) => {
      const { ids, mask } = textBatchFromIds(c, Math.max(...c.map((s) => s.length)), this.config);
      return Float32Array.from(this.model.text.forward(ids, mask).flat());
    });
  }

  embedImages(images: readonly Uint8Array[]): Float32Array[] {
    return this.chunks(images, (c) => Float32Array.from(this.model.image.forward(toTensor(c, this.config.imageSize)).flat()));
  }

  /** Document vectors: (unit text + unit image) / 2, one per (caption, image) pair. */
  embedDocuments(captions: readonly string[], images: readonly Uint8Array[]): Float32Array[] {
    if (captions.length !== images.length) throw new RangeError(`embedDocuments: ${captions.length} captions for ${images.length} images`);
    const t = this.embedTexts(captions), v = this.embedImages(images);
    return t.map((x, i) => x.map((a, j) => (a + v[i][j]) / 2));
  }
}
