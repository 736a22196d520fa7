/**
 * Pretraining on a small synthetic corpus with the tiny model: batches are a function of
 * (seed, step) and never retrieve the query itself; resume replays the uninterrupted loss sequence
 * exactly (also after a "kill" that logged past the checkpoint); a NaN loss stops the run and
 * leaves the last checkpoint untouched; held-out loss per modality; corpus save/load; exact top-m.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lmDataConfig, trainingBatch, evalRows } from '../../src/lm/batches.js';
import { exactTopM, loadCorpus, saveCorpus } from '../../src/lm/corpus.js';
import { topicCorpus as corpus } from '../helpers/lm_corpus.js';
import { NonFiniteLossError, trainLm, type LmTrainOptions } from '../../src/lm/train.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { Rng } from '../../src/tensor/index.js';
import { Vocab } from '../../src/tokenizer/vocab.js';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-lm-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const vocab = new Vocab({ textSize: 40, imageCodes: 16, imageTokens: 4, maskSentinels: 4 });

const train = corpus(120, 1), heldout = corpus(24, 2, train);
const data = lmDataConfig({ contextLength: 48 });
const model = resolveCM3LeonConfig('tiny', [`vocab=${vocab.size}`, 'contextLength=48']);
const opts = (out: string, extra: Partial<LmTrainOptions> = {}): LmTrainOptions => ({
  model, data, vocab, corpus: train, evalCorpus: heldout, out, steps: 20, batch: 4, accumulate: 2, lr: 3e-3, warmup: 4, minLrRatio: 0.1,
  weightDecay: 0.1, clip: 1, evalEvery: 10, evalDocs: 24, seed: 5, ...extra,
});
const losses = (out: string) => readFileSync(join(out, 'train_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

test('exactTopM matches brute force and corpora round-trip through safetensors', () => {
  const rng = new Rng(3), q = Float32Array.from({ length: 5 * 4 }, () => rng.normal()), k = Float32Array.from({ length: 30 * 4 }, () => rng.normal());
  const { idx, score } = exactTopM(q, k, 4, 3);
  for (let i = 0; i < 5; i++) {
    const s = Array.from({ length: 30 }, (_, j) => [j, q.subarray(i * 4, i * 4 + 4).reduce((a, x, d) => a + x * k[j * 4 + d], 0)] as const).sort((a, b) => b[1] - a[1]);
    assert.deepEqual(Array.from(idx.subarray(i * 3, i * 3 + 3)), s.slice(0, 3).map((x) => x[0]));
    assert.ok(Math.abs(score[i * 3] - s[0][1]) < 1e-4);
  }
  saveCorpus(join(dir, 'c.safetensors'), train);
  const back = loadCorpus(join(dir, 'c.safetensors'));
  assert.deepEqual(back.docs, train.docs);
  assert.deepEqual(Array.from(back.neighbours), Array.from(train.neighbours));
  assert.equal(back.meta.test, 'yes');
});

test('training batches depend only on (seed, step), fill the context and never retrieve the query itself', () => {
  const a = trainingBatch(train, vocab, data, 5, 3, 4), b = trainingBatch(train, vocab, data, 5, 3, 4), c = trainingBatch(train, vocab, data, 5, 4, 4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 4);
  for (const r of a) assert.equal(r.ids.length, 48);
  assert.ok(a.some((r) => r.ids.filter((id) => id === vocab.eos).length >= 4), 'retrieved documents are prepended');
  const rows = evalRows(heldout, train, vocab, data, 24);
  assert.ok(rows.length >= 12);
});

test('resume replays the uninterrupted run exactly, also after a kill that logged past the checkpoint', async () => {
  const full = join(dir, 'full'), split = join(dir, 'split');
  await trainLm(opts(full));
  await trainLm(opts(split, { stopAfter: 10 }));
  appendFileSync(join(split, 'train_log.jsonl'), `${JSON.stringify({ step: 11, loss: 123 })}\n`); // a killed run's extra row
  await trainLm(opts(split, { resume: true }));
  const a = losses(full), b = losses(split);
  assert.equal(b.length, 20);
  assert.deepEqual(b.map((r) => r.loss), a.map((r) => r.loss));
  assert.ok(a[19].loss < a[0].loss, `loss ${a[0].loss} -> ${a[19].loss}`);
  for (const k of ['eval_text', 'eval_image']) assert.ok(Number.isFinite(a[19][k]), `${k} = ${a[19][k]}`);
  await assert.rejects(() => trainLm(opts(split, { resume: true, seed: 6, steps: 25 })), /trained with seed 5/);
});

test('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async () => {
  const out = join(dir, 'nan');
  await trainLm(opts(out, { steps: 10 }));
  const ckpt = join(out, 'model.safetensors'), f = readSafetensors(ckpt);
  const w = f.tensors.get('wte.weight')!;
  (w.data as Float32Array).fill(Number.NaN);
  writeSafetensors(ckpt, f.tensors, f.metadata);
  const before = readFileSync(ckpt);
  await assert.rejects(() => trainLm(opts(out, { steps: 20, resume: true })), (e: Error) => e instanceof NonFiniteLossError && /loss is NaN at step 11.*last good checkpoint \(step 10\)/.test(e.message));
  assert.deepEqual(readFileSync(ckpt), before);
});
