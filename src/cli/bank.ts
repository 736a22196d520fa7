/**
 * cli/bank.ts — `cm3leon bank build|add|search`: the multimodal memory bank. Documents are embedded
 * with the retriever ((text + image) / 2) and carry their image-tokenizer codes, so generation can
 * prepend them as tokens.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodePng, decodeToRgb, encodePng } from '../data/image.js';
import { imageGrid, type GridCell } from '../data/sheet.js';
import { openDataset } from '../data/store.js';
import { BankError, MemoryBank, BankWriter, type BankDocument } from '../retrieval/bank.js';
import { bankMayExist } from '../retrieval/bank_writer.js';
import { defaultRetrieverPath } from '../retrieval/defaults.js';
import { Retriever } from '../retrieval/retriever.js';
import { defaultImageTokenizerPath, defaultTextTokenizerPath } from '../tokenizer/defaults.js';
import { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../tokenizer/text/index.js';
import { Progress } from './progress.js';

export const BANK_HELP = `cm3leon bank — the retrieval memory bank (LanceDB)

Usage:
  npx cm3leon bank build --data DIR --out BANK [--split train] [--limit N]
        Embed a dataset's documents (default: the train split, the paper's memory = training
        set) with the retriever and write a new bank atomically (a temp folder renamed at the end).
  npx cm3leon bank add SOURCE --bank BANK
        Add your own image+caption documents (a new local BANK is created if there is none);
        retrievable as soon as the command returns.
        SOURCE is a folder of images, each with a same-named .txt caption (cat.png + cat.txt),
        or a JSONL file of {"image": "path", "caption": "...", "id"?: "...", "licence"?: "..."}
        (paths relative to the file). One atomic commit: an interrupted add changes nothing.
  npx cm3leon bank search "text" --bank BANK [-k 5] [-o grid.png]
  npx cm3leon bank search --queries FILE --bank BANK [-k 5] [-o grid.png]
        Text -> top-k documents (inner product with the retriever's text embedding); with
        --queries, one query per line and one grid row per query.

BANK is a folder, or a LanceDB URI (s3://bucket/path, gs://..., az://...) with credentials from
the usual environment variables. --model/--tokenizer override the committed retriever and image
tokenizer.`;

export class BankCliError extends Error {}

function fail(msg: string): never {
  process.stderr.write(`cm3leon bank: ${msg}\n`);
  process.exit(2);
}

interface Tools { text: TextTokenizer; retriever: Retriever; image: ImageTokenizer }

function tools(model?: string, tokenizer?: string): Tools {
  const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
  return { text, retriever: Retriever.load(model ?? defaultRetrieverPath(), text), image: ImageTokenizer.load(tokenizer ?? defaultImageTokenizerPath()) };
}

/** Embeddings and codes for (caption, RGB pixels, PNG) triples. */
function toDocuments(t: Tools, items: { id: string; caption: string; rgb: Uint8Array; png: Uint8Array; source: string; licence: string }[]): BankDocument[] {
  const emb = t.retriever.embedDocuments(items.map((i) => i.caption), items.map((i) => i.rgb));
  const codes = t.image.encode(items.map((i) => i.rgb));
  return items.map((it, k) => ({ id: it.id, caption: it.caption, image: it.png, codes: codes[k], source: it.source, licence: it.licence, embedding: emb[k] }));
}

async function build(data: string, out: string, split: string, limit: number | undefined, t: Tools): Promise<void> {
  if (t.retriever.config.imageSize !== t.image.config.imageSize) throw new BankCliError('retriever and image tokenizer disagree on image size');
  const ds = await openDataset(data);
  const recs = await ds.records({ where: `split = '${split.replace(/'/g, "''")}' AND size = ${t.image.config.imageSize}`, limit });
  ds.close();
  if (recs.length === 0) throw new BankCliError(`${data}: no records in split "${split}" at ${t.image.config.imageSize}px`);
  const writer = await BankWriter.create(out, { dim: t.retriever.dim, embedder: t.retriever.id });
  const bar = new Progress(recs.length, 'bank build', 2048);
  try {
    for (let i = 0; i < recs.length; i += 512) {
      const part = await Promise.all(recs.slice(i, i + 512).map(async (r) => ({
        id: r.id, caption: r.captions[0], rgb: (await decodePng(r.image)).data, png: r.image, source: r.source,
        licence: `${r.licence.spdx}${r.licence.attribution ? ` (${r.licence.attribution})` : ''}`,
      })));
      await writer.add(toDocuments(t, part));
      bar.update(Math.min(recs.length, i + 512), 'documents embedded');
    }
    bar.done();
    await writer.finish((stage, s) => process.stderr.write(`${stage}: ${s.toFixed(1)} s\n`));
  } catch (e) {
    writer.abort();
    throw e;
  }
  process.stdout.write(`bank ${out}: ${recs.length} documents (retriever ${t.retriever.id})\n`);
}

/** Items to add from a folder (image + .txt caption) or a JSONL file. */
function listSource(src: string): { id: string; path: string; caption: string; licence: string }[] {
  if (!existsSync(src)) throw new BankCliError(`${src}: no such file or folder`);
  if (statSync(src).isDirectory()) {
    const imgs = readdirSync(src).filter((f) => /\.(png|jpe?g|webp|gif|svg)$/i.test(f)).sort();
    return imgs.map((f) => {
      const cap = join(src, `${basename(f, extname(f))}.txt`);
      if (!existsSync(cap)) throw new BankCliError(`${join(src, f)}: no caption file ${cap}`);
      return { id: `user:${basename(f, extname(f))}`, path: join(src, f), caption: readFileSync(cap, 'utf8').trim(), licence: 'user-provided' };
    });
  }
  return readFileSync(src, 'utf8').split('\n').map((l, n) => [l.trim(), n + 1] as const).filter(([l]) => l).map(([l, n]) => {
    let o: { image?: unknown; caption?: unknown; id?: unknown; licence?: unknown };
    try { o = JSON.parse(l); } catch { throw new BankCliError(`${src}:${n}: not JSON`); }
    if (typeof o.image !== 'string' || typeof o.caption !== 'string' || !o.caption.trim()) throw new BankCliError(`${src}:${n}: needs "image" (a path) and a non-empty "caption"`);
    return { id: typeof o.id === 'string' ? o.id : `user:${basename(o.image, extname(o.image))}`, path: resolve(dirname(src), o.image), caption: o.caption.trim(), licence: typeof o.licence === 'string' ? o.licence : 'user-provided' };
  });
}

async function add(src: string, bankUri: string, t: Tools): Promise<void> {
  const items = listSource(src);
  if (items.length === 0) throw new BankCliError(`${src}: nothing to add`);
  if (items.some((i) => !i.caption)) throw new BankCliError(`${src}: empty caption`);
  const S = t.image.config.imageSize;
  const docs = toDocuments(t, await Promise.all(items.map(async (it) => {
    let rgb: Uint8Array;
    try { rgb = (await decodeToRgb(it.path, S)).data; } catch (e) { throw new BankCliError(`${it.path}: cannot read as an image (${(e as Error).message})`); }
    return { id: it.id, caption: it.caption, rgb, png: await encodePng({ data: rgb, width: S, height: S }), source: 'user', licence: it.licence };
  })));
  const fresh = !bankMayExist(bankUri);
  const bank = fresh ? await MemoryBank.create(bankUri, { dim: t.retriever.dim, embedder: t.retriever.id })
    : await MemoryBank.open(bankUri, { embedder: t.retriever.id });
  try {
    const r = await bank.add(docs);
    process.stdout.write(`added ${r.added} documents to ${bankUri} (now ${await bank.count()}; index: ${r.index})\n`);
  } finally {
    bank.close();
  }
}

/** Top-k for each query; a grid with one row per query (the query text, then its k documents). */
async function search(queries: string[], bankUri: string, k: number, out: string | undefined, t: Tools): Promise<void> {
  const bank = await MemoryBank.open(bankUri, { embedder: t.retriever.id });
  try {
    const vecs = t.retriever.embedTexts(queries), cells: GridCell[] = [];
    const blank = await encodePng({ data: new Uint8Array(16 * 16 * 3).fill(255), width: 16, height: 16 });
    for (const [qi, query] of queries.entries()) {
      const hits = await bank.search(vecs[qi], k);
      if (queries.length > 1) process.stdout.write(`${query}\n`);
      hits.forEach((h, i) => process.stdout.write(`${i + 1}. ${h.score.toFixed(3)}  ${h.id}  ${h.caption}\n`));
      if (!out) continue;
      const docs = new Map((await bank.byIds(hits.map((h) => h.id))).map((d) => [d.id, d]));
      if (queries.length > 1) cells.push({ image: blank, head: 'query', text: query });
      cells.push(...hits.map((h, i) => ({ image: docs.get(h.id)!.image, head: `#${i + 1} · ${h.score.toFixed(3)}`, text: h.caption })));
      for (let i = hits.length; i < k; i++) cells.push({ image: blank, head: '', text: '' });
    }
    if (out) {
      writeFileSync(out, imageGrid(cells, { cols: queries.length > 1 ? k + 1 : Math.min(k, 8), lines: 2 }));
      process.stderr.write(`-> ${out}\n`);
    }
  } finally {
    bank.close();
  }
}

export async function runBank(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, data: { type: 'string' }, out: { type: 'string' }, bank: { type: 'string' }, split: { type: 'string' },
      limit: { type: 'string' }, queries: { type: 'string' }, k: { type: 'string', short: 'k' }, o: { type: 'string', short: 'o' }, model: { type: 'string' }, tokenizer: { type: 'string' },
    } });
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${BANK_HELP}`);
  }
  const { values: v, positionals: p } = parsed;
  if (v.help || !p[0]) { process.stdout.write(`${BANK_HELP}\n`); return; }
  const num = (x: string | undefined, d: number, name: string) => {
    const n = x === undefined ? d : Number(x);
    if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number >= 1, got "${x}"`);
    return n;
  };
  try {
    if (p[0] === 'build') {
      if (!v.data || !v.out) fail('build needs --data DIR and --out BANK');
      return await build(v.data, v.out, v.split ?? 'train', v.limit === undefined ? undefined : num(v.limit, 0, 'limit'), tools(v.model, v.tokenizer));
    }
    if (p[0] === 'add') {
      if (!p[1] || !v.bank) fail('add needs SOURCE (folder or .jsonl) and --bank BANK');
      return await add(p[1], v.bank, tools(v.model, v.tokenizer));
    }
    if (p[0] === 'search') {
      const queries = v.queries ? readFileSync(v.queries, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [p.slice(1).join(' ')];
      if (!queries[0] || !v.bank) fail('search needs "text" (or --queries FILE) and --bank BANK');
      return await search(queries, v.bank, num(v.k, 5, 'k'), v.o, tools(v.model, v.tokenizer));
    }
  } catch (e) {
    if (e instanceof BankCliError || e instanceof BankError || e instanceof RangeError || e instanceof TypeError) fail(e.message);
    throw e;
  }
  fail(`unknown bank command "${p[0]}"`);
}
