/**
 * cli/retriever.ts — `cm3leon retriever train|eval`: train the CLIP-style bi-encoder on a dataset
 * and report held-out recall@k against a random ranking.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { residentDevice } from '../backend/index.js';
import { ConfigError, resolvePreset } from '../config/config.js';
import { RETRIEVER_PRESETS, type RetrieverConfig } from '../retrieval/clip.js';
import { loadPairs, RETRIEVER_SPLITS } from '../retrieval/data.js';
import { defaultRetrieverPath } from '../retrieval/defaults.js';
import type { RecallReport } from '../retrieval/metrics.js';
import { Retriever } from '../retrieval/retriever.js';
import { evaluateRetriever, trainRetriever } from '../retrieval/train.js';
import { defaultTextTokenizerPath } from '../tokenizer/defaults.js';
import { TextTokenizer } from '../tokenizer/text/index.js';
import { Progress } from './progress.js';

export const RETRIEVER_HELP = `cm3leon retriever — the CLIP-style bi-encoder used for retrieval

Usage:
  npx cm3leon retriever train --data DIR --out DIR [--preset small] [--set key=value]
        [--steps 3000] [--batch 128] [--lr 0.0005] [--eval-every 500] [--siblings 1] [--limit N] [--resume]
        Symmetric InfoNCE on the train split's (caption, image) pairs; evaluates recall@k on the
        held-out concepts of the emoji set. Writes DIR/retriever.safetensors (+ optimizer state,
        resumable with --resume), DIR/train_log.jsonl and DIR/loss.svg. --siblings K puts up to K
        images of each drawn concept in a batch and trains with the multi-positive InfoNCE (an
        image counts as a positive for every caption it shares; same-concept images with other
        captions are hard negatives).
  npx cm3leon retriever eval --data DIR [--model FILE]
        Text->image and image->text recall@1/5/10 on held-out concepts and held-out style,
        strict (the paired item) and by concept, next to a random ranking.

--model defaults to the committed models/retriever/retriever.safetensors; the text tokenizer is
the committed models/tokenizer/text.json.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon retriever: ${msg}\n`);
  process.exit(2);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function recallTable(name: string, r: RecallReport): string {
  const rows = [`${name} (n = ${r.n})`, '| direction | R@1 | R@5 | R@10 |', '|---|---|---|---|'];
  const line = (label: string, m: Record<number, number>) => rows.push(`| ${label} | ${pct(m[1])} | ${pct(m[5])} | ${pct(m[10])} |`);
  line('text→image (paired image)', r.t2i);
  line('image→text (paired caption)', r.i2t);
  line('text→image (same concept)', r.t2iConcept);
  line('image→text (same concept)', r.i2tConcept);
  line('random ranking (paired)', r.random);
  line('random ranking (same concept)', r.randomConcept);
  return rows.join('\n');
}

export async function runRetriever(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, data: { type: 'string' }, out: { type: 'string' }, preset: { type: 'string' },
      set: { type: 'string', multiple: true }, steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
      'eval-every': { type: 'string' }, siblings: { type: 'string' }, limit: { type: 'string' }, resume: { type: 'boolean' }, model: { type: 'string' },
    } });
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${RETRIEVER_HELP}`);
  }
  const { values: v, positionals } = parsed;
  if (v.help || !positionals[0]) { process.stdout.write(`${RETRIEVER_HELP}\n`); return; }
  const cmd = positionals[0];
  if (cmd !== 'train' && cmd !== 'eval') fail(`unknown retriever command "${cmd}"`);
  if (!v.data) fail(`${cmd} needs --data DIR (a dataset from \`cm3leon data build\`)`);
  const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
  if (cmd === 'eval') {
    const path = v.model ?? defaultRetrieverPath();
    let r: Retriever;
    try {
      r = Retriever.load(path, text);
    } catch (e) {
      return fail(`cannot load retriever ${path}: ${(e as Error).message}`);
    }
    for (const [name, where] of [['held-out concepts (emoji)', RETRIEVER_SPLITS.heldoutConcept], ['held-out style (Twemoji)', RETRIEVER_SPLITS.heldoutStyle]] as const) {
      const pairs = await loadPairs(v.data, where, r.config.imageSize);
      if (pairs.length) process.stdout.write(`${recallTable(name, await evaluateRetriever(r, pairs))}\n\n`);
    }
    return;
  }
  if (!v.out) fail('train needs --out DIR');
  let config: RetrieverConfig;
  try {
    config = resolvePreset(RETRIEVER_PRESETS, v.preset ?? 'small', v.set ?? [], 'retriever');
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const int = (x: string | undefined, d: number, name: string) => {
    const n = x === undefined ? d : Number(x);
    if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number >= 1`);
    return n;
  };
  const steps = int(v.steps, 3000, 'steps'), batch = int(v.batch, 128, 'batch'), evalEvery = int(v['eval-every'], 500, 'eval-every');
  const siblings = int(v.siblings, 1, 'siblings');
  const lr = v.lr === undefined ? 5e-4 : Number(v.lr);
  if (!(lr > 0)) fail('--lr must be > 0');
  if (text.vocabSize !== config.textVocab) fail(`the text tokenizer has ${text.vocabSize} ids; set textVocab=${text.vocabSize}`);
  process.stderr.write('loading pairs...\n');
  const train = await loadPairs(v.data, RETRIEVER_SPLITS.train, config.imageSize, v.limit === undefined ? undefined : int(v.limit, 0, 'limit'));
  const evalSet = await loadPairs(v.data, RETRIEVER_SPLITS.heldoutConcept, config.imageSize);
  if (train.length < batch || evalSet.length === 0) fail(`${v.data}: needs >= ${batch} train pairs and held-out-concept emoji at ${config.imageSize}px`);
  process.stderr.write(`training on ${train.length} pairs, evaluating on ${evalSet.length} held-out-concept emoji\n`);
  const bar = new Progress(steps, 'retriever', 20);
  let last = '';
  // --device webgpu: the model, every step and the evaluation on the GPU; data preparation on the CPU.
  const device = residentDevice();
  await trainRetriever({
    device, config, text, train, eval: evalSet, out: v.out, steps, batch, lr, evalEvery, siblings, resume: v.resume,
    onLog: (r) => {
      if (r.t2i_r10 !== undefined) last = ` | held-out text→image R@1 ${pct(r.t2i_r1)} R@10 ${pct(r.t2i_r10)}`;
      bar.step(r.step, `loss ${r.loss.toFixed(3)} acc ${pct(r.batch_acc)} T ${r.temperature.toFixed(3)}${last}`);
    },
  });
  bar.done();
  process.stdout.write(`saved ${join(v.out, 'retriever.safetensors')}${last}\n`);
}
