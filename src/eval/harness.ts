/**
 * eval/harness.ts — the evaluations of issue #7 on a Generator: text→image on held-out captions
 * (KID, FID and CLIP score on the retriever's image features, against the held-out images), as an
 * ablation table over retrieved documents, CFG weight and decoders; and captioning on held-out
 * images (exact-concept accuracy, BLEU-4, CIDEr-D against the dataset's captions).
 */
import type { Generator, SampleSettings } from '../generate/pipeline.js';
import type { Retriever } from '../retrieval/retriever.js';
import { Rng } from '../tensor/index.js';
import { clipScore } from './clipscore.js';
import { fid } from './fid.js';
import { kid } from './kid.js';
import { bleu, ciderD, conceptAccuracy } from './text_metrics.js';

export interface EvalPair { caption: string; captions: string[]; concept: string; rgb: Uint8Array }

export interface T2IRow {
  name: string;
  settings: Partial<SampleSettings>;
  kid: number;
  kidStd: number;
  fid: number;
  clip: number;
  secondsPerImage: number;
}

/** The ablation grid: retrieved docs 0/1/2; CFG sweep; decoders with 1, 4, 8 samples + re-ranking. */
export function ablationGrid(): { name: string; settings: Partial<SampleSettings> }[] {
  const base: Partial<SampleSettings> = { n: 1, cfg: 3, decoder: 'topp', retrieve: 2 };
  const rows: { name: string; settings: Partial<SampleSettings> }[] = [];
  for (const r of [0, 1, 2]) rows.push({ name: `retrieve ${r} (TopP, CFG 3, N 1)`, settings: { ...base, retrieve: r } });
  for (const cfg of [1, 2, 4, 6]) rows.push({ name: `CFG ${cfg} (TopP, retrieve 2, N 1)`, settings: { ...base, cfg } });
  rows.push({ name: 'temperature 1 (CFG 3, N 1)', settings: { ...base, decoder: 'temperature' } });
  for (const n of [1, 4, 8]) {
    rows.push({ name: `CD-K, N ${n} + re-rank`, settings: { ...base, decoder: 'cdk', n } });
    if (n > 1) rows.push({ name: `TopP, N ${n} + re-rank`, settings: { ...base, n } });
    if (n > 1) rows.push({ name: `mix (½ TopP ½ CD-K), N ${n} + re-rank`, settings: { ...base, decoder: 'mix', n } });
  }
  return rows;
}

/** Generate one image per prompt (the best re-ranked of N) and score the set against the real images. */
export async function evalTextToImage(gen: Generator, pairs: readonly EvalPair[], name: string, settings: Partial<SampleSettings>, seed = 1,
  features: Retriever = gen.retriever): Promise<T2IRow> {
  const images: Uint8Array[] = [];
  const t0 = performance.now();
  for (const [i, p] of pairs.entries()) {
    const r = await gen.textToImage(p.caption, { ...settings, seed: seed + i });
    images.push(r.samples[0].rgb);
  }
  const seconds = (performance.now() - t0) / 1000;
  const fake = features.embedImages(images), real = features.embedImages(pairs.map((p) => p.rgb));
  const text = features.embedTexts(pairs.map((p) => p.caption));
  // Subsets of half the set: with fewer samples than the default subset size every subset would be
  // the whole set (a std of 0 says nothing about the estimate's spread).
  const k = kid(real, fake, { seed, subsets: 20, subsetSize: Math.max(2, Math.min(100, Math.floor(pairs.length / 2))) });
  return {
    name, settings, kid: k.mean, kidStd: k.std, fid: fid(real, fake), clip: clipScore(text, fake).mean,
    secondsPerImage: seconds / (pairs.length * (settings.n ?? 1)),
  };
}

export interface CaptionReport {
  n: number; conceptAccuracy: number; bleu4: number; ciderD: number;
  /** The generated caption of every image, in order. */
  captions: string[];
  examples: { concept: string; caption: string }[];
}

/** Caption each image (best of N by the retriever) and score against the dataset's captions. */
export async function evalCaptioning(gen: Generator, pairs: readonly EvalPair[], settings: Partial<SampleSettings> = {}): Promise<CaptionReport> {
  const out: string[] = [];
  for (const [i, p] of pairs.entries()) out.push((await gen.caption(p.rgb, { n: 1, retrieve: 0, ...settings, seed: 1 + i })).captions[0].text);
  const concepts = pairs.map((p) => p.concept.replace(/^[a-z]+:/, ''));
  return {
    n: pairs.length,
    captions: out,
    conceptAccuracy: conceptAccuracy(out, concepts),
    bleu4: bleu(out, pairs.map((p) => p.captions)).score,
    ciderD: ciderD(out, pairs.map((p) => p.captions)).score,
    examples: out.slice(0, 8).map((caption, i) => ({ concept: concepts[i], caption })),
  };
}

/** A seeded subset of n pairs, one caption each (the first caption: the concept name). */
export function samplePairs<T>(xs: readonly T[], n: number, seed: number): T[] {
  const rng = new Rng(seed), idx = xs.map((_, i) => i);
  for (let i = 0; i < Math.min(n, idx.length); i++) {
    const j = i + rng.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, Math.min(n, idx.length)).map((i) => xs[i]);
}

export function t2iTable(rows: readonly T2IRow[], n: number): string {
  const lines = [`text→image on ${n} held-out-concept captions (features: the retriever's image tower; KID ×1000, mean ± std over 20 random subsets of half the set)`, '',
    '| setting | KID ×1000 | FID | CLIP score | s / image |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${(1000 * r.kid).toFixed(2)} ± ${(1000 * r.kidStd).toFixed(2)} | ${r.fid.toFixed(3)} | ${r.clip.toFixed(1)} | ${r.secondsPerImage.toFixed(2)} |`);
  return lines.join('\n');
}
