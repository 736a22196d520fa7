/**
 * tokenizer/text/train.ts — trainTextBpe: learn a byte-level BPE on texts with the native
 * `tokenizers` trainer (Rust, fast, in a child process; see train_worker.ts) and return a
 * tokenizer.json with exactly `vocabSize` ids: the 256 bytes, then the merge results in merge
 * order (the trainer's merge list cut where the vocabulary is full), then optional special tokens.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BYTE_TO_CHAR, buildTokenizerJson, type Merge, type TokenizerJson } from './format.js';

export interface TrainTextBpeOptions {
  /** Total ids, specials included: 256 bytes + merges + specials. Default 4096, at most 30000. */
  vocabSize?: number;
  /** Added at the end (ids vocabSize-k .. vocabSize-1) as special added tokens. Default none: the
   *  project keeps its sentinels in its own Vocab, not in the text tokenizer. */
  specialTokens?: string[];
}

export const DEFAULT_TEXT_VOCAB = 4096;
/** The node binding's trainer always stops at 30000 tokens (its default; no options are exposed). */
export const MAX_TEXT_VOCAB = 30000;

const WORKER = fileURLToPath(new URL('./train_worker.js', import.meta.url));

/** Stream the texts, one per line, into `path`; returns how many texts were written. */
function writeCorpus(texts: Iterable<string>, path: string): number {
  const fd = openSync(path, 'w');
  let n = 0;
  try {
    let buf: string[] = [];
    let len = 0;
    const flush = () => {
      if (buf.length) writeSync(fd, buf.join(''));
      buf = [];
      len = 0;
    };
    for (const t of texts) {
      if (typeof t !== 'string') throw new TypeError(`trainTextBpe: text ${n} is ${typeof t}, not a string`);
      buf.push(t, '\n');
      len += t.length + 1;
      n++;
      if (len > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Run the native trainer on `corpus`; returns its merge list in learned order. */
function nativeMerges(corpus: string, dir: string): Merge[] {
  const out = join(dir, 'raw.json');
  const r = spawnSync(process.execPath, [WORKER, corpus, out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new Error(`trainTextBpe: could not start the trainer: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`trainTextBpe: the native trainer failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().slice(-2000)}`);
  const raw = JSON.parse(readFileSync(out, 'utf8')) as { model?: { merges?: unknown[] } };
  const merges = raw.model?.merges;
  if (!Array.isArray(merges)) throw new Error('trainTextBpe: the native trainer wrote no merge list');
  return merges.map((m) => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`trainTextBpe: unexpected merge ${JSON.stringify(m)}`);
    return [String(pair[0]), String(pair[1])];
  });
}

/**
 * The longest prefix of `merges` whose results, added after the 256 byte symbols, make at most
 * `textSize` tokens. A merge whose result is already a token (two pairs can spell the same
 * string, e.g. "ab"+"c" and "a"+"bc") adds no id, so it is kept while still inside the prefix.
 * This is exactly the list a trainer asked for `textSize` tokens would have stopped at.
 */
export function truncateMerges(merges: readonly Merge[], textSize: number): { merges: Merge[]; size: number } {
  const known = new Set(BYTE_TO_CHAR);
  const kept: Merge[] = [];
  for (const [a, b] of merges) {
    if (!known.has(a) || !known.has(b)) throw new Error(`trainTextBpe: merge "${a} ${b}" uses an unknown symbol`);
    if (!known.has(a + b)) {
      if (known.size >= textSize) break;
      known.add(a + b);
    }
    kept.push([a, b]);
  }
  return { merges: kept, size: known.size };
}

export function trainTextBpe(texts: Iterable<string>, opts: TrainTextBpeOptions = {}): TokenizerJson {
  const vocabSize = opts.vocabSize ?? DEFAULT_TEXT_VOCAB;
  const specials = opts.specialTokens ?? [];
  if (!Array.isArray(specials) || specials.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError('trainTextBpe: specialTokens must be non-empty strings');
  }
  if (new Set(specials).size !== specials.length) throw new TypeError('trainTextBpe: duplicate special token');
  const min = 256 + specials.length;
  if (!Number.isInteger(vocabSize) || vocabSize < min || vocabSize > MAX_TEXT_VOCAB) {
    throw new RangeError(`trainTextBpe: vocabSize must be an integer in [${min}, ${MAX_TEXT_VOCAB}] (256 bytes + ${specials.length} special tokens at least), got ${vocabSize}`);
  }
  const textSize = vocabSize - specials.length;
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bpe-'));
  try {
    const corpus = join(dir, 'corpus.txt');
    writeCorpus(texts, corpus);
    const all = textSize > 256 ? nativeMerges(corpus, dir) : [];
    const { merges, size } = truncateMerges(all, textSize);
    if (size < textSize) {
      throw new RangeError(`trainTextBpe: the texts only support ${size} text tokens (${all.length} merges learned), `
        + `fewer than the ${textSize} asked for; use more text or vocabSize <= ${size + specials.length}`);
    }
    return buildTokenizerJson(merges, specials);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
