/**
 * cli/tokenizer_codec.ts — `cm3leon tokenizer encode|decode|train-text`: images <-> code files
 * with the image tokenizer, and training the text BPE on a dataset's captions.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { encodePng } from '../data/image.js';
import { openDataset } from '../data/store.js';
import { writeFileAtomic } from '../io/atomic.js';
import { defaultImageTokenizerPath, defaultTextTokenizerPath } from '../tokenizer/defaults.js';
import { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import { DEFAULT_TEXT_VOCAB, saveTokenizerJson, TextTokenizer, trainTextBpe } from '../tokenizer/text/index.js';

export const TOKENS_FORMAT = 'cm3leon-image-tokens';

export interface TokensFile {
  format: typeof TOKENS_FORMAT;
  tokenizer: { imageSize: number; grid: number; codebookSize: number };
  images: { source: string; codes: number[] }[];
}

export class CliError extends Error {}

function loadImageTokenizer(model: string | undefined): ImageTokenizer {
  const path = model ?? defaultImageTokenizerPath();
  try {
    return ImageTokenizer.load(path);
  } catch (e) {
    const hint = model ? '' : '\nThe default tokenizer ships in models/tokenizer/; pass --model FILE for another.';
    throw new CliError(`cannot load image tokenizer ${path}: ${(e as Error).message}${hint}`);
  }
}

/** `encode img.png [more.png...] [-o tokens.json]`: writes (or prints) a tokens file. */
export async function encodeImages(files: string[], model: string | undefined, out: string | undefined): Promise<void> {
  if (files.length === 0) throw new CliError('encode needs at least one image file');
  const tok = loadImageTokenizer(model), c = tok.config;
  const images: TokensFile['images'] = [];
  for (const f of files) {
    try {
      images.push({ source: basename(f), codes: (await tok.encodeFile(f)).codes });
    } catch (e) {
      throw new CliError(`${f}: cannot read as an image (${(e as Error).message})`);
    }
  }
  const doc: TokensFile = { format: TOKENS_FORMAT, tokenizer: { imageSize: c.imageSize, grid: c.imageSize / c.patch, codebookSize: c.codebookSize }, images };
  const text = `${JSON.stringify(doc, null, 1).replace(/\n\s+(\d+)/g, ' $1').replace(/\n\s+\]/g, ' ]')}\n`;
  if (out) {
    writeFileAtomic(out, Buffer.from(text, 'utf8'));
    process.stderr.write(`${images.length} image(s) -> ${tok.tokensPerImage} codes each -> ${out}\n`);
  } else {
    process.stdout.write(text);
  }
}

/** Accepts a tokens file, `{"codes": [...]}` or a bare array of codes. */
export function parseTokens(text: string, where: string): number[][] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${where}: not JSON (${(e as Error).message})`);
  }
  const lists: unknown[] = Array.isArray(raw) ? [raw]
    : typeof raw === 'object' && raw !== null && Array.isArray((raw as TokensFile).images) ? (raw as TokensFile).images.map((i) => i?.codes)
      : typeof raw === 'object' && raw !== null && 'codes' in raw ? [(raw as { codes: unknown }).codes] : [];
  if (lists.length === 0) throw new CliError(`${where}: expected a tokens file from \`cm3leon tokenizer encode\`, {"codes": [...]} or an array of codes`);
  return lists.map((l, i) => {
    if (!Array.isArray(l) || !l.every((x) => Number.isInteger(x))) throw new CliError(`${where}: image ${i}: codes must be an array of integers`);
    return l as number[];
  });
}

/** `decode tokens.json -o img.png`: one PNG per image (img.png, or img-0.png, img-1.png, ...). */
export async function decodeTokens(file: string | undefined, model: string | undefined, out: string | undefined): Promise<void> {
  if (!file || !out) throw new CliError('decode needs a tokens file and -o image.png');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const codes = parseTokens(text, file), tok = loadImageTokenizer(model), S = tok.config.imageSize;
  let images: Uint8Array[];
  try {
    images = tok.decode(codes);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  const names = images.length === 1 ? [out] : images.map((_, i) => out.replace(/(\.png)?$/i, `-${i}.png`));
  for (let i = 0; i < images.length; i++) writeFileAtomic(names[i], await encodePng({ data: images[i], width: S, height: S }));
  process.stderr.write(`decoded ${images.length} image(s) (${S}x${S}) -> ${names.join(', ')}\n`);
}

/** `train-text --data DIR [--out FILE] [--vocab N]`: byte-level BPE on the train split's captions. */
export async function trainText(data: string | undefined, out: string | undefined, vocab: number | undefined): Promise<void> {
  if (!data) throw new CliError('train-text needs --data DIR (a dataset from `cm3leon data build`)');
  const ds = await openDataset(data);
  const recs = await ds.records({ where: "split = 'train'" });
  ds.close();
  const texts = recs.flatMap((r) => r.captions);
  if (texts.length === 0) throw new CliError(`${data}: no train captions`);
  const t0 = performance.now();
  const json = trainTextBpe(texts, { vocabSize: vocab ?? DEFAULT_TEXT_VOCAB });
  const path = out ?? defaultTextTokenizerPath();
  mkdirSync(dirname(path), { recursive: true });
  saveTokenizerJson(json, path);
  const tok = TextTokenizer.fromJson(path);
  const ids = texts.reduce((n, t) => n + tok.encode(t).length, 0), bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  process.stdout.write(`trained on ${texts.length} captions in ${((performance.now() - t0) / 1000).toFixed(1)} s: vocab ${tok.vocabSize}, `
    + `${(bytes / ids).toFixed(2)} bytes/token -> ${path}\n`);
}
