/** CLIP score on hand-made embeddings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HESSEL_CLIPS_WEIGHT, clipScore, cosine } from '../../src/eval/clipscore.js';

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('cosine of hand vectors, not assuming unit norm', () => {
  near(cosine([1, 0], [3, 0]), 1);
  near(cosine([1, 0], [1, 1]), Math.SQRT1_2);
  near(cosine(Float32Array.from([0, 2]), Float64Array.from([0, -5])), -1);
  near(cosine([1, 2, 3], [-3, 0, 1]), 0);
});

test('clipScore = mean of 100·max(cos, 0); negative cosines count as 0', () => {
  const texts = [[1, 0], [1, 0], [1, 0], [0, 1]];
  const images = [[2, 0], [1, 1], [-1, 0], [0.6, 0.8]];
  const r = clipScore(texts, images);
  const want = [100, 100 * Math.SQRT1_2, 0, 80];
  want.forEach((w, i) => near(r.scores[i], w, 1e-9));
  near(r.mean, want.reduce((a, b) => a + b) / 4, 1e-9);
});

test('clipScore with Hessel et al.\'s w = 2.5 (CLIP-S)', () => {
  const r = clipScore([[1, 0]], [[0.6, 0.8]], HESSEL_CLIPS_WEIGHT);
  near(r.mean, 2.5 * 0.6);
});

test('clipScore refuses bad inputs', () => {
  assert.throws(() => clipScore([], []), /textEmbeddings is empty/);
  assert.throws(() => clipScore([[1, 0]], [[1, 0], [0, 1]]), /1 text embeddings but 2 image embeddings/);
  assert.throws(() => clipScore([[1, 0]], [[1, 0, 0]]), /textEmbeddings\[0\] has 2 entries, imageEmbeddings\[0\] has 3/);
  assert.throws(() => clipScore([[0, 0]], [[1, 0]]), /textEmbeddings\[0\] is the zero vector/);
  assert.throws(() => clipScore([[1, 0]], [[NaN, 0]]), /imageEmbeddings\[0\]\[0\] is NaN/);
  assert.throws(() => clipScore([[1, 0]], [[1, 0]], 0), /weight must be a finite number > 0/);
});
