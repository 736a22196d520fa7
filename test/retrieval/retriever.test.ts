/**
 * The CLIP-style retriever on the tiny preset: padding does not change a caption's embedding,
 * the InfoNCE loss matches a hand computation, recall@k against hand-made rankings, training on
 * coloured shapes beats a random ranking and resumes from its checkpoint, Retriever round trip.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RETRIEVER_PRESETS, RetrieverModel } from '../../src/retrieval/clip.js';
import { recallAtK } from '../../src/retrieval/metrics.js';
import { Retriever, textBatch } from '../../src/retrieval/retriever.js';
import { evaluateRetriever, trainRetriever } from '../../src/retrieval/train.js';
import { noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { TextTokenizer, trainTextBpe } from '../../src/tokenizer/text/index.js';
import { shapePairs as pairs } from '../helpers/shape_pairs.js';

const tiny = RETRIEVER_PRESETS.tiny;
const dir = mkdtempSync(join(tmpdir(), 'cm3leon-retr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const train = pairs(400, 1), heldout = pairs(60, 2);
const text = TextTokenizer.fromJson(trainTextBpe([...train, ...heldout].flatMap((p) => p.captions).concat('x y z'), { vocabSize: tiny.textVocab }));

test('a caption embeds the same alone or padded in a batch with longer captions', () => {
  const m = new RetrieverModel(tiny);
  noGrad(() => tidy(() => {
    const one = textBatch(text, ['a red dot'], tiny), many = textBatch(text, ['a red dot', 'the purple column on white, the purple column'], tiny);
    assert.ok(many.ids.shape[1] > one.ids.shape[1]);
    const a = m.text.forward(one.ids, one.mask).toArray(), b = m.text.forward(many.ids, many.mask).toArray().slice(0, tiny.embedDim);
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-5, `dim ${i}: ${x} vs ${b[i]}`));
    assert.ok(Math.abs(a.reduce((s, x) => s + x * x, 0) - 1) < 1e-5, 'unit length');
  }));
});

test('the contrastive loss is the mean of the two cross-entropies over scaled similarities', () => {
  const m = new RetrieverModel(tiny);
  const t = tensor([1, 0, 0, 1], [2, 2]), v = tensor([0.6, 0.8, 0, 1], [2, 2]);
  const s = 1 / tiny.initTemperature;
  const L = [[0.6 * s, 0], [0.8 * s, s]]; // L[i][j] = t_i . v_j * s
  const ce = (row: number[], k: number) => Math.log(row.reduce((a, x) => a + Math.exp(x), 0)) - row[k];
  const want = 0.5 * ((ce(L[0], 0) + ce(L[1], 1)) / 2 + (ce([L[0][0], L[1][0]], 0) + ce([L[0][1], L[1][1]], 1)) / 2);
  const got = noGrad(() => m.contrastiveLoss(t, v).loss.item());
  assert.ok(Math.abs(got - want) < 1e-4, `${got} vs ${want}`);
  m.logitScale.host[0] = 10;
  m.clampLogitScale();
  assert.ok(Math.abs(m.logitScale.host[0] - Math.log(100)) < 1e-6);
});

test('recall@k counts the paired item and the same concept; random baselines', () => {
  const e = (x: number, y: number) => Float32Array.from([x, y]);
  const texts = [e(1, 0), e(0, 1), e(1, 0.1)], images = [e(0.9, 0.1), e(1, 0.05), e(0, 1)];
  const r = recallAtK(texts, images, ['a', 'b', 'a'], [1, 2]);
  // text 0 ranks images 1,0,2 -> paired at rank 1; text 1 -> image 2 first (paired is 1: rank 2);
  // text 2 -> image 1 first, paired is 2: rank 2. Same concept (a = images 0, 2): texts 0 and 2
  // find image 0 second (image 1 scores higher), text 1 finds image 1 third.
  assert.deepEqual([r.t2i[1], r.t2i[2]], [0, 1 / 3]);
  assert.deepEqual([r.t2iConcept[1], r.t2iConcept[2]], [0, 2 / 3]);
  assert.equal(r.random[1], 1 / 3);
  assert.throws(() => recallAtK(texts, images.slice(1), ['a', 'b', 'a'], [1]), /equal, non-zero counts/);
});

test('training on coloured shapes beats a random ranking by far and resumes from its checkpoint', async () => {
  const out = join(dir, 'train'), rows: Record<string, number>[] = [];
  const model = await trainRetriever({ config: tiny, text, train, eval: heldout, out, steps: 150, batch: 24, lr: 3e-3, evalEvery: 75, onLog: (r) => rows.push(r) });
  const first = rows.slice(0, 10).reduce((s, r) => s + r.loss, 0) / 10, last = rows.slice(-10).reduce((s, r) => s + r.loss, 0) / 10;
  assert.ok(last < 0.75 * first, `loss ${first} -> ${last}`);
  const rep = await evaluateRetriever(new Retriever(model, text, 't'), heldout);
  assert.ok(rep.t2iConcept[1] > 5 * rep.randomConcept[1], `concept R@1 ${rep.t2iConcept[1]} vs random ${rep.randomConcept[1]}`);
  const resumed: number[] = [];
  await trainRetriever({ config: tiny, text, train, eval: heldout, out, steps: 160, batch: 24, lr: 3e-3, evalEvery: 80, resume: true, onLog: (r) => resumed.push(r.step) });
  assert.deepEqual([resumed[0], resumed.at(-1)], [151, 160]);
  const loaded = Retriever.load(join(out, 'retriever.safetensors'), text);
  assert.match(loaded.id, /^retriever-[0-9a-f]{12}$/);
  const docs = loaded.embedDocuments(['a red dot'], [heldout[0].image]);
  const [t] = loaded.embedTexts(['a red dot']), [v] = loaded.embedImages([heldout[0].image]);
  docs[0].forEach((x, i) => assert.ok(Math.abs(x - (t[i] + v[i]) / 2) < 1e-6));
  assert.throws(() => loaded.embedDocuments(['a'], []), /1 captions for 0 images/);
});
