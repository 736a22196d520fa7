/**
 * generate/pipeline.ts — Generator: the trained pieces put together for the user-facing tasks.
 * text→image (retrieve 0–2 documents for the prompt, N samples with CFG / TopP / CD-K / mix, CLIP
 * re-ranking with the retriever), captioning (the CM3 `<mask>`/`<infill>` prompt, retrieval by the
 * image), image infilling under a box, text infilling. Every result carries its provenance: the
 * retrieved documents (ids, captions, scores) that conditioned it.
 */
import type { GpuRuntime } from '../backend/webgpu/runtime.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { residentRuntime } from '../nn/device_run.js';
import { useHalfWeights } from '../nn/half.js';
import { onDevice } from '../tensor/index.js';
import { LM_DATA_DEFAULTS } from '../lm/batches.js';
import { readSafetensors } from '../io/safetensors.js';
import { CM3Leon, type CM3LeonConfig } from '../model/cm3leon.js';
import { validateCM3LeonConfig } from '../model/cm3leon_config.js';
import type { MemoryBank } from '../retrieval/bank.js';
import { dot } from '../retrieval/metrics.js';
import { selectDocuments } from '../retrieval/policy.js';
import { MAX_CAPTION_TOKENS } from '../lm/corpus.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import type { TextTokenizer } from '../tokenizer/text/index.js';
import { Vocab, type VocabConfig } from '../tokenizer/vocab.js';
import { generate, type DecoderChoice, type RowEvent } from './generate.js';
import { boxRegion, captioningPrompt, fillRegion, imageInfillPrompt, textInfillPrompt, textToImagePrompt } from './prompts.js';

/** Storage of the LM's Linear weights: f32, or f16 on a GPU (nn/half.ts). */
export type Precision = 'f32' | 'f16';

export interface Provenance { id: string; caption: string; score: number; source: string; licence: string }

export interface SampleSettings {
  n: number;
  cfg: number;
  decoder: DecoderChoice;
  seed: number;
  topP: number;
  temperature: number;
  /** Retrieved documents to condition on (0, 1 or 2). */
  retrieve: number;
  onRow?: (e: RowEvent) => void;
}

export const SAMPLE_DEFAULTS: Readonly<SampleSettings> = Object.freeze({ n: 4, cfg: 3, decoder: 'mix', seed: 1, topP: 0.9, temperature: 1, retrieve: 2 });

export interface ImageSample { sample: number; seed: number; decoder: string; codes: number[]; rgb: Uint8Array; clipScore: number }

/** Bank candidates fetched before the inference policy (threshold, dedup) picks k. */
const RETRIEVAL_POOL = 16;

export class Generator {
  readonly vocab: Vocab;
  constructor(readonly lm: CM3Leon, vocab: VocabConfig, readonly text: TextTokenizer, readonly image: ImageTokenizer,
    readonly retriever: Retriever, readonly bank: MemoryBank | null, readonly modelId: string) {
    this.vocab = new Vocab(vocab);
    if (this.vocab.size !== lm.config.vocab) throw new RangeError(`model vocab ${lm.config.vocab} != vocabulary ${this.vocab.size}`);
    if (vocab.textSize !== text.vocabSize) throw new RangeError(`model was trained with ${vocab.textSize} text ids; the text tokenizer has ${text.vocabSize}`);
    if (vocab.imageCodes !== image.config.codebookSize || vocab.imageTokens !== image.tokensPerImage) throw new RangeError('the image tokenizer does not match the model vocabulary');
    bank?.checkEmbedder(retriever.id);
  }

  /**
   * The LM checkpoint written by `cm3leon train` (or its `cm3leon export` copy); with a GPU runtime
   * its parameters are uploaded there and generation decodes resident on it (session.ts).
   */
  static loadLm(path: string, rt: GpuRuntime | null = null): { lm: CM3Leon; vocab: VocabConfig } {
    const meta = readSafetensors(path).metadata;
    if (!meta.config || !meta.vocab) throw new RangeError(`${path}: not a CM3Leon checkpoint (no config/vocab metadata)`);
    const lm = onDevice(rt, () => new CM3Leon(validateCM3LeonConfig(JSON.parse(meta.config) as CM3LeonConfig)));
    loadCheckpoint(path, lm);
    return { lm, vocab: JSON.parse(meta.vocab) as VocabConfig };
  }

  /**
   * loadLm on the device selected for this process (--device / CM3LEON_DEVICE: the CPU, or
   * resident on a GPU), with the Linear weights stored as f16 there when precision is 'f16'.
   */
  static async loadLmResident(path: string, precision: Precision = 'f32'): Promise<{ lm: CM3Leon; vocab: VocabConfig }> {
    if (precision !== 'f32' && precision !== 'f16') throw new RangeError(`precision must be f32 or f16, got "${String(precision)}"`);
    const rt = await residentRuntime();
    if (precision === 'f16' && !rt) throw new RangeError('f16 weights are a GPU storage option: add --device webgpu (or keep f32)');
    const loaded = Generator.loadLm(path, rt);
    if (precision === 'f16') await useHalfWeights(loaded.lm);
    return loaded;
  }

  private captionIds(caption: string): number[] {
    const ids = this.text.encode(caption).slice(0, MAX_CAPTION_TOKENS);
    if (ids.length === 0) throw new RangeError('the prompt is empty');
    return ids;
  }

  /** Top-k documents for a query vector by the inference policy, as ids + provenance. */
  async retrieve(query: Float32Array, k: number): Promise<{ docs: number[][]; provenance: Provenance[] }> {
    if (k === 0) return { docs: [], provenance: [] };
    if (!this.bank) throw new RangeError(`retrieval of ${k} documents needs a memory bank (build one with \`cm3leon bank build\`, or use --retrieve 0)`);
    const hits = await this.bank.search(query, RETRIEVAL_POOL);
    const chosen = selectDocuments(hits, { mode: 'infer', k, maxScore: LM_DATA_DEFAULTS.maxScore, dedup: LM_DATA_DEFAULTS.dedup });
    const full = new Map((await this.bank.byIds(chosen.map((c) => c.id))).map((d) => [d.id, d]));
    const docs = chosen.map((c) => {
      const d = full.get(c.id)!;
      if (d.codes.length !== this.vocab.imageTokens) throw new RangeError(`bank document ${d.id} has ${d.codes.length} image codes; rebuild the bank with this image tokenizer`);
      return [...this.captionIds(d.caption), this.vocab.brk, ...Array.from(d.codes, (x) => this.vocab.image(x))];
    });
    return { docs, provenance: chosen.map((c) => ({ id: c.id, caption: c.caption, score: c.score, source: c.source, licence: c.licence })) };
  }

  private settings(o: Partial<SampleSettings>): SampleSettings {
    const s = { ...SAMPLE_DEFAULTS, ...o };
    if (!Number.isInteger(s.n) || s.n < 1) throw new RangeError(`n must be a whole number >= 1, got ${s.n}`);
    if (!Number.isInteger(s.retrieve) || s.retrieve < 0 || s.retrieve > 2) throw new RangeError(`retrieve must be 0, 1 or 2, got ${s.retrieve}`);
    if (!(s.cfg >= 0) || !(s.topP > 0 && s.topP <= 1) || !(s.temperature > 0)) throw new RangeError('cfg must be >= 0, topP in (0, 1], temperature > 0');
    return s;
  }

  /** text → N images, best CLIP score (retriever text·image) first. */
  async textToImage(caption: string, o: Partial<SampleSettings> = {}): Promise<{ samples: ImageSample[]; retrieved: Provenance[]; settings: SampleSettings }> {
    const s = this.settings(o);
    const [q] = this.retriever.embedTexts([caption]);
    const r = await this.retrieve(q, s.retrieve);
    const prompt = textToImagePrompt(this.captionIds(caption), this.vocab, { retrieved: r.docs });
    const res = (await generate(this.lm, [prompt], { vocab: this.vocab, n: s.n, decoder: s.decoder, seed: s.seed, cfg: s.cfg, topP: s.topP, temperature: s.temperature, onRow: s.onRow }))[0];
    const codes = res.map((x) => x.tokens.filter((t) => this.vocab.isImage(t)).map((t) => this.vocab.imageCode(t)));
    const rgb = this.image.decode(codes);
    const emb = this.retriever.embedImages(rgb);
    const samples = res.map((x, i) => ({ sample: x.sample, seed: x.seed, decoder: x.decoder, codes: codes[i], rgb: rgb[i], clipScore: dot(emb[i], q) }));
    samples.sort((a, b) => b.clipScore - a.clipScore);
    return { samples, retrieved: r.provenance, settings: s };
  }

  /**
   * image → N captions (most likely first by the retriever's text·image score). With `question`,
   * a short VQA-style answer: the question is the text before the masked span
   * (`question <mask:0> <break> image <infill> <mask:0>`), the answer is the span, at most 8 tokens.
   */
  async caption(rgb: Uint8Array, o: Partial<SampleSettings> & { maxTokens?: number; question?: string } = {}): Promise<{ captions: { text: string; score: number; seed: number }[]; retrieved: Provenance[] }> {
    const s = this.settings({ decoder: 'topp', cfg: 1, ...o });
    const [codes] = this.image.encode([rgb]);
    const [v] = this.retriever.embedImages([rgb]);
    const r = await this.retrieve(v, s.retrieve);
    const question = o.question?.trim();
    const template = question ? { before: this.captionIds(`${question} `) } : undefined;
    const prompt = captioningPrompt(codes.map((c) => this.vocab.image(c)), this.vocab, { retrieved: r.docs, template, maxTokens: o.maxTokens ?? (question ? 8 : 32) });
    const res = (await generate(this.lm, [prompt], { vocab: this.vocab, n: s.n, decoder: s.decoder === 'mix' || s.decoder === 'cdk' ? 'topp' : s.decoder, seed: s.seed, topP: s.topP, temperature: s.temperature }))[0];
    const texts = res.map((x) => this.text.decode(x.tokens.filter((t) => this.vocab.isText(t))).trim());
    const t = this.retriever.embedTexts(texts.map((x) => x || ' '));
    const captions = texts.map((text, i) => ({ text, seed: res[i].seed, score: dot(t[i], v) })).sort((a, b) => b.score - a.score);
    return { captions, retrieved: r.provenance };
  }

  /** Regenerate the codes under a pixel box (x, y, w, h) given the rest of the image and an optional caption. */
  async infillImage(rgb: Uint8Array, box: { x: number; y: number; w: number; h: number }, caption: string | undefined, o: Partial<SampleSettings> = {}): Promise<{ samples: ImageSample[]; region: boolean[]; retrieved: Provenance[] }> {
    const s = this.settings({ cfg: caption ? 3 : 1, ...o });
    const G = Math.sqrt(this.vocab.imageTokens), cell = this.image.config.imageSize / G;
    const region = boxRegion({ width: G, height: G }, { x: Math.floor(box.x / cell), y: Math.floor(box.y / cell), w: Math.max(1, Math.ceil((box.x + box.w) / cell) - Math.floor(box.x / cell)), h: Math.max(1, Math.ceil((box.y + box.h) / cell) - Math.floor(box.y / cell)) });
    const [codes] = this.image.encode([rgb]);
    const ids = codes.map((c) => this.vocab.image(c));
    const q = caption ? this.retriever.embedTexts([caption])[0] : this.retriever.embedImages([rgb])[0];
    const r = await this.retrieve(q, s.retrieve);
    const prompt = imageInfillPrompt(ids, region, this.vocab, { caption: caption ? this.captionIds(caption) : undefined, retrieved: r.docs });
    const res = (await generate(this.lm, [prompt], { vocab: this.vocab, n: s.n, decoder: s.decoder, seed: s.seed, cfg: prompt.uncond ? s.cfg : 1, topP: s.topP, temperature: s.temperature }))[0];
    const filled = res.map((x) => fillRegion(ids, region, x.tokens, this.vocab).map((t) => this.vocab.imageCode(t)));
    const out = this.image.decode(filled);
    const samples = res.map((x, i) => ({ sample: x.sample, seed: x.seed, decoder: x.decoder, codes: filled[i], rgb: out[i], clipScore: Number.NaN }));
    return { samples, region, retrieved: r.provenance };
  }

  /** Fill the text between `before` and `after`. */
  async infillText(before: string, after: string, o: Partial<SampleSettings> & { maxTokens?: number } = {}): Promise<{ fills: { text: string; seed: number }[]; retrieved: Provenance[] }> {
    const s = this.settings({ decoder: 'topp', cfg: 1, ...o });
    const [q] = this.retriever.embedTexts([`${before} ${after}`.trim() || ' ']);
    const r = await this.retrieve(q, s.retrieve);
    const prompt = textInfillPrompt({ before: this.text.encode(before), after: this.text.encode(after) }, this.vocab, { retrieved: r.docs, maxTokens: o.maxTokens ?? 16 });
    const res = (await generate(this.lm, [prompt], { vocab: this.vocab, n: s.n, decoder: 'topp', seed: s.seed, topP: s.topP, temperature: s.temperature }))[0];
    return { fills: res.map((x) => ({ text: this.text.decode(x.tokens.filter((t) => this.vocab.isText(t))), seed: x.seed })), retrieved: r.provenance };
  }
}
