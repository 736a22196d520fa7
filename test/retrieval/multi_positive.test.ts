/**
 * The multi-positive InfoNCE (--siblings): the loss matches a hand computation, reduces to the
 * plain InfoNCE when every caption has only its own image, has a finite-difference gradient; the
 * sibling sampler keeps concepts together and the positives follow shared captions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RETRIEVER_PRESETS, RetrieverModel, positivesByImage } from '../../src/retrieval/clip.js';
import { batchPositives, groupByConcept, sampleBatch, type Pair } from '../../src/retrieval/train.js';
import { l2Normalize, noGrad, Rng, tensor, type Tensor } from '../../src/tensor/index.js';
import { gradcheck, leaf } from '../helpers/gradcheck.js';

const tiny = RETRIEVER_PRESETS.tiny;
const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));

function handLoss(t: number[][], v: number[][], scale: number, pos: number[][]): number {
  const B = t.length, L = t.map((ti) => v.map((vj) => scale * ti.reduce((s, x, k) => s + x * vj[k], 0)));
  const side = (rows: number[][], p: number[][]) => rows.reduce((s, row, r) => s + p[r].reduce((a, q) => a + lse(row) - row[q], 0) / p[r].length, 0) / B;
  const cols = L[0].map((_, j) => L.map((row) => row[j]));
  return 0.5 * (side(L, pos) + side(cols, positivesByImage(pos, B)));
}

test('the multi-positive loss matches a hand computation and equals InfoNCE with one positive each', () => {
  const m = new RetrieverModel(tiny), rng = new Rng(3), B = 5, E = 4;
  const unit = () => { const x = Array.from({ length: E }, () => rng.normal()); const n = Math.hypot(...x); return x.map((y) => y / n); };
  const t = Array.from({ length: B }, unit), v = Array.from({ length: B }, unit);
  const T = tensor(t.flat(), [B, E]), V = tensor(v.flat(), [B, E]), s = 1 / tiny.initTemperature;
  const pos = [[0, 1], [0, 1], [2], [3, 4, 2], [4]];
  const got = noGrad(() => m.contrastiveLoss(T, V, pos).loss.item());
  assert.ok(Math.abs(got - handLoss(t, v, s, pos)) < 1e-4, `${got} vs ${handLoss(t, v, s, pos)}`);
  const id = Array.from({ length: B }, (_, i) => [i]);
  const plain = noGrad(() => m.contrastiveLoss(T, V).loss.item()), single = noGrad(() => m.contrastiveLoss(T, V, id).loss.item());
  assert.ok(Math.abs(plain - single) < 1e-5, `${plain} vs ${single}`);
  assert.throws(() => m.contrastiveLoss(T, V, [[1], [1], [2], [3], [4]]), /caption 0 must list its own image/);
  assert.throws(() => m.contrastiveLoss(T, V, [[0, 5], [1], [2], [3], [4]]), /positive 5 of caption 0 is outside the batch of 5/);
  assert.throws(() => m.contrastiveLoss(T, V, id.slice(1)), /4 positive lists for a batch of 5/);
});

test('gradient of the multi-positive loss (text, image and temperature)', () => {
  const m = new RetrieverModel(tiny);
  const t = leaf([4, 3], 1), v = leaf([4, 3], 2);
  (m as { logitScale: Tensor }).logitScale = leaf([1], 3, () => 0.7); // an f64 leaf for the check
  const pos = [[0, 2], [1], [2, 0], [3, 1]];
  gradcheck('multiPositive', () => m.contrastiveLoss(l2Normalize(t, -1), l2Normalize(v, -1), pos).loss, [t, v, m.logitScale], { h: 1e-3, atol: 1e-4, rtol: 2e-3 });
});

const pair = (id: string, concept: string, captions: string[]): Pair => ({ id, concept, captions, image: new Uint8Array(3) });

test('sibling batches keep up to K images of a concept together; positives follow shared captions', () => {
  const pairs: Pair[] = [];
  for (let c = 0; c < 12; c++) for (let k = 0; k <= c % 4; k++) pairs.push(pair(`${c}-${k}`, `c${c}`, [`thing ${c}`, `style ${k} thing ${c}`]));
  const byConcept = groupByConcept(pairs);
  const one = sampleBatch(pairs, byConcept, 8, 1, new Rng(1));
  assert.equal(new Set(one.map((p) => p.concept)).size, 8, 'K = 1: distinct concepts');
  const batch = sampleBatch(pairs, byConcept, 12, 3, new Rng(1));
  assert.equal(batch.length, 12);
  assert.equal(new Set(batch.map((p) => p.id)).size, 12, 'no image twice');
  for (let i = 0; i < batch.length;) {
    // each drawn concept arrives as one run of min(3, its size) images (the last run may be cut at B)
    let j = i;
    while (j < batch.length && batch[j].concept === batch[i].concept) j++;
    assert.ok(j - i === Math.min(3, byConcept.get(batch[i].concept)!.length) || j === batch.length, `run at ${i}`);
    i = j;
  }
  const trio = byConcept.get('c3')!.slice(0, 3);
  assert.deepEqual(batchPositives(trio, ['thing 3', 'style 1 thing 3', 'thing 3']), [[0, 1, 2], [1], [0, 1, 2]]);
  assert.deepEqual(batchPositives([trio[0], pair('x', 'c9', ['thing 3'])], ['thing 3', 'thing 3']), [[0], [1]], 'other concepts are never positives');
});
