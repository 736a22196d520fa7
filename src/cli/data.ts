/**
 * cli/data.ts — `cm3leon data build|show|stats`: build a dataset from the npm-shipped sources and
 * the synthetic scene generator, write a contact sheet, print statistics.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDataset, MAX_SIZE, MIN_SIZE, TINY_LIMITS } from '../data/build.js';
import type { SourceName } from '../data/record.js';
import { contactSheet } from '../data/sheet.js';
import { parseSources, SOURCE_NAMES } from '../data/sources/index.js';
import { datasetStats } from '../data/stats.js';
import { COLUMNS, openDataset } from '../data/store.js';
import { sample } from '../data/captions.js';
import { Rng } from '../tensor/random.js';

export const DATA_HELP = `cm3leon data — datasets of image–text records (LanceDB) from npm-shipped art + synthetic scenes

Usage:
  npx cm3leon data build --out DIR [--sources ${SOURCE_NAMES.join(',')}] [--size 64]
                         [--limit N] [--scenes N] [--seed N] [--tiny]
  npx cm3leon data show DIR [--n 64] [--cols 8] [--where "source = 'emoji'"] [--seed N] -o grid.png
  npx cm3leon data stats DIR [--json]

build   --sources   comma-separated subset (default: all)
        --size      image side in pixels (default 64)
        --limit     cap the records each source yields at N (edit targets count; default: full size)
        --scenes    synthetic scene records, edit targets included (default: 5000 scenes + edits)
        --tiny      the small fixed subset used by tests (${Object.entries(TINY_LIMITS).map(([k, v]) => `${k} ${v}`).join(', ')})
        Writes DIR atomically (a temp dir renamed at the end); skipped inputs are counted with reasons.
show    a contact sheet of N records (random sample, seeded) with their first caption
stats   counts by source, style and split; edits; caption lengths; licences`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon data: ${msg}\n`);
  process.exit(2);
}

function whereError(e: Error): never {
  const first = e.message.split('\n')[0].slice(0, 200);
  return fail(`--where: ${first}\ncolumns: ${COLUMNS.join(', ')}`);
}

function int(v: string | undefined, name: string, def: number, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) fail(`--${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
}

export async function runData(argv: string[]): Promise<void> {
  const { values: v, positionals } = (() => {
    try {
      return parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
        help: { type: 'boolean', short: 'h' }, out: { type: 'string', short: 'o' }, sources: { type: 'string' },
        size: { type: 'string' }, limit: { type: 'string' }, scenes: { type: 'string' }, seed: { type: 'string' },
        tiny: { type: 'boolean' }, n: { type: 'string' }, cols: { type: 'string' }, where: { type: 'string' },
        json: { type: 'boolean' },
      } });
    } catch (e) {
      return fail(`${(e as Error).message}\n\n${DATA_HELP}`);
    }
  })();
  const sub = positionals[0];
  if (v.help || !sub) { process.stdout.write(`${DATA_HELP}\n`); return; }
  if (sub === 'build') {
    if (!v.out) fail('build needs --out DIR');
    let sources: SourceName[];
    try { sources = v.sources !== undefined ? parseSources(v.sources) : SOURCE_NAMES; } catch (e) { return fail((e as Error).message); }
    if (sources.length === 0) fail('--sources is empty');
    const size = int(v.size, 'size', 64, MIN_SIZE);
    if (size > MAX_SIZE) fail(`--size must be at most ${MAX_SIZE}, got ${size}`);
    const limit: Partial<Record<SourceName, number>> = {};
    if (v.tiny) Object.assign(limit, TINY_LIMITS);
    if (v.limit !== undefined) for (const s of sources) limit[s] = int(v.limit, 'limit', 0, 1);
    if (v.scenes !== undefined) limit.scene = int(v.scenes, 'scenes', 0, 0);
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const t0 = Date.now();
    const tty = process.stderr.isTTY;
    let before = 0;  // items of finished sources, for an overall rate
    const m = await buildDataset({
      out: v.out, sources, size, seed: int(v.seed, 'seed', 0), limit, signal: abort.signal,
      onProgress: (p) => {
        const items = before + p.written + p.skipped;
        if (p.done) before = items;
        const rate = (items / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(0);
        const line = `data build: ${p.source} ${p.written} written, ${p.skipped} skipped (${rate} items/s overall)${p.done ? ' done' : ''}`;
        if (tty) process.stderr.write(`\r${line.padEnd(80)}${p.done ? '\n' : ''}`);
        else if (p.done || (p.written + p.skipped) % 1000 === 0) process.stderr.write(`${line}\n`);
      },
    }).catch((e: Error) => fail(abort.signal.aborted ? 'interrupted; nothing was written' : e.message))
      .finally(() => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); });
    process.stdout.write(`wrote ${m.count} records to ${v.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    for (const [s, st] of Object.entries(m.sources)) {
      const why = Object.entries(st.reasons).map(([r, c]) => `${c}× ${r}`).join('; ');
      process.stdout.write(`  ${s}: ${st.written} written, ${st.skipped} skipped${why ? ` (${why})` : ''}\n`);
    }
    return;
  }
  const dir = positionals[1];
  if (!dir) fail(`${sub} needs a dataset directory`);
  const ds = await openDataset(dir).catch((e: Error) => fail(e.message));
  if (sub === 'stats') {
    const s = await datasetStats(ds);
    ds.close();
    if (v.json) { process.stdout.write(`${JSON.stringify(s, null, 2)}\n`); return; }
    process.stdout.write(`${dir}: ${s.total} records, ${s.concepts} concepts, ${s.edits} edit targets, ${s.withBoxes} with boxes\n`);
    for (const [k, m] of [['source', s.bySource], ['style', s.byStyle], ['split', s.bySplit], ['licence', s.licences]] as const) {
      process.stdout.write(`  by ${k}: ${Object.entries(m).map(([a, b]) => `${a} ${b}`).join(', ')}\n`);
    }
    process.stdout.write(`  captions: >= ${s.captions.perRecordMin} per record (mean ${s.captions.perRecordMean.toFixed(1)}), ${s.captions.wordsMean.toFixed(1)} words on average\n`);
    return;
  }
  if (sub === 'show') {
    if (!v.out) fail('show needs -o grid.png');
    const n = int(v.n, 'n', 64, 1);
    const ids = (await ds.ids(v.where).catch(whereError)).sort();
    if (ids.length === 0) fail(`no records match ${v.where ?? '(all)'}`);
    const chosen = await ds.byIds(sample(new Rng(int(v.seed, 'seed', 0)), ids, n).sort());
    writeFileSync(v.out, contactSheet(chosen, { cols: int(v.cols, 'cols', 8, 1) }));
    ds.close();
    process.stdout.write(`wrote ${chosen.length} records to ${v.out}\n`);
    return;
  }
  fail(`unknown data command "${sub}"\n\n${DATA_HELP}`);
}
