/** Caption metrics against hand-computed values: tokenisation, BLEU-4, CIDEr-D, concept accuracy. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bleu, ciderD, conceptAccuracy, containsConcept, tokenize } from '../../src/eval/text_metrics.js';

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('tokenize lowercases, strips accents, splits on non-alphanumerics', () => {
  assert.deepEqual(tokenize('  A Red-Apple, on 2 plates!! '), ['a', 'red', 'apple', 'on', '2', 'plates']);
  assert.deepEqual(tokenize('Café CRÈME'), ['cafe', 'creme']);
  assert.deepEqual(tokenize('...'), []);
});

test('bleu = 1 for identical texts (sentence and corpus)', () => {
  near(bleu(['the cat sat on the mat'], ['the cat sat on the mat']).score, 1);
  near(bleu(['a b c d', 'e f g h i'], [['x y', 'a b c d'], 'e f g h i']).score, 1);
});

test('bleu-4 of a hand example: p = 5/6, 3/5, 1/4 and an exp-smoothed 1/(2·3)', () => {
  // cand "the cat sat on the mat" vs ref "the cat is on the mat": unigrams the×2, cat, on, mat
  // match (5/6); bigrams "the cat", "on the", "the mat" (3/5); trigram "on the mat" (1/4);
  // no 4-gram of 3 matches → smoothed 1/(2·3). c = r = 6 → BP = 1. BLEU = (1/48)^(1/4).
  const r = bleu(['the cat sat on the mat'], ['the cat is on the mat']);
  assert.deepEqual(r.matches, [5, 3, 1, 0]);
  assert.deepEqual(r.totals, [6, 5, 4, 3]);
  near(r.precisions[3], 1 / 6);
  near(r.brevityPenalty, 1);
  near(r.score, (1 / 48) ** 0.25);
  assert.equal(bleu(['the cat sat on the mat'], ['the cat is on the mat'], { smoothing: 'none' }).score, 0);
});

test('bleu brevity penalty exp(1 − r/c) and closest reference length', () => {
  // All n-grams of "the cat sat on" match; c = 4, r = 6 → BP = e^(1 − 6/4).
  const r = bleu(['the cat sat on'], ['the cat sat on the mat']);
  near(r.brevityPenalty, Math.exp(-0.5));
  near(r.score, Math.exp(-0.5));
  // References of 3 and 5 tokens for a 4-token candidate: tie → the shorter (coco-caption), r = 3, no penalty.
  const tie = bleu(['a b c d'], [['a b c', 'a b c d e']]);
  assert.equal(tie.referenceLength, 3);
  assert.equal(tie.brevityPenalty, 1);
});

test('bleu clips counts by the max over references (Papineni et al.\'s "the the the" example)', () => {
  const refs = [['the cat is on the mat', 'there is a cat on the mat']];
  const r = bleu(['the the the the the the the'], refs);
  assert.deepEqual(r.matches, [2, 0, 0, 0]);
  near(r.precisions[0], 2 / 7);
  // Closest reference has 7 tokens (= c): BP 1. Zero orders smoothed 1/(2·6), 1/(4·5), 1/(8·4).
  near(r.score, ((2 / 7) * (1 / 12) * (1 / 20) * (1 / 32)) ** 0.25);
});

test('bleu is corpus-level: n-gram counts are summed before the ratio', () => {
  const r = bleu(['a b c d e', 'x y'], ['a b c d e', 'x z']);
  assert.deepEqual(r.matches, [6, 4, 3, 2]);
  assert.deepEqual(r.totals, [7, 5, 3, 2]);
  near(r.score, ((6 / 7) * (4 / 5)) ** 0.25);
});

test('bleu: effective order when every candidate is short, 0 when nothing matches or c = 0', () => {
  near(bleu(['red apple'], ['red apple']).score, 1, 1e-15);
  assert.equal(bleu(['red apple'], ['red apple'], { smoothing: 'none' }).score, 0);
  assert.equal(bleu(['blue pear'], ['red apple']).score, 0);
  assert.equal(bleu(['!!'], ['red apple']).score, 0);
});

test('bleu refuses bad inputs', () => {
  assert.throws(() => bleu([], []), /candidates is empty/);
  assert.throws(() => bleu(['a'], ['a', 'b']), /1 candidates but 2 reference sets/);
  assert.throws(() => bleu(['a'], [[]]), /references\[0\] is empty/);
  assert.throws(() => bleu(['a'], ['a'], { maxOrder: 0 }), /maxOrder must be an integer >= 1/);
});

test('ciderD of a hand example: "a cat" vs itself = 5, "cat" vs "a cat" = 10·e^(−1/72)/4', () => {
  // Images A ("a cat") and B ("a dog"): idf = log 2 − log df, so "a" (in both) weighs 0 and
  // "cat", "a cat" weigh log 2. An exact 2-token match has cosine 1 for n = 1, 2 and no 3-, 4-grams:
  // 10 · (1 + 1 + 0 + 0)/4 = 5. "cat": unigram cosine 1, no bigrams, length gap 1 →
  // 10 · (1 + 0 + 0 + 0)/4 · e^(−1/(2·6²)).
  const refs = ['a cat', 'a dog'];
  const exact = ciderD(['a cat', 'a dog'], refs);
  near(exact.score, 5);
  const r = ciderD(['cat', 'a dog'], refs);
  near(r.scores[0], 2.5 * Math.exp(-1 / 72));
  near(r.scores[1], 5);
  near(r.score, (r.scores[0] + r.scores[1]) / 2);
  // With ≥ 4 tokens every order has weight, and an exact match scores the maximum, 10.
  const long = ['a black cat sleeping', 'a brown dog running'];
  near(ciderD(long, long).score, 10);
});

test('ciderD: a closer candidate scores higher; a disjoint one scores 0; references are averaged', () => {
  const refs = [['a black cat sitting on a red mat', 'a black cat on a mat'], ['a dog running in the park'], ['a bowl of fruit']];
  const others = ['a dog running in the park', 'a bowl of fruit'];
  const close = ciderD(['a black cat on a red mat', ...others], refs).scores[0];
  const far = ciderD(['a cat', ...others], refs).scores[0];
  const none = ciderD(['zebra stripes everywhere', ...others], refs).scores[0];
  assert.ok(close > far && far > 0, `${close} > ${far} > 0`);
  assert.equal(none, 0);
  // Per-reference similarities are averaged: identical twice → 5 (see above); once plus a disjoint one → 2.5.
  near(ciderD(['a cat', 'a dog'], [['a cat', 'a cat'], 'a dog']).scores[0], 5);
  near(ciderD(['a cat', 'a dog'], [['a cat', 'the dog'], 'a dog']).scores[0], 2.5);
});

test('ciderD with a single image is 0 (idf log 1 = 0), and refuses bad input', () => {
  assert.equal(ciderD(['a cat'], ['a cat']).score, 0);
  assert.throws(() => ciderD(['a'], ['a'], { sigma: 0 }), /sigma must be a finite number > 0/);
  assert.throws(() => ciderD(['a', 'b'], ['a']), /2 candidates but 1 reference sets/);
});

test('containsConcept / conceptAccuracy: normalised contiguous token match, aliases', () => {
  assert.equal(containsConcept('A photo of a Red-Apple.', 'red apple'), true);
  assert.equal(containsConcept('a red and green apple', 'red apple'), false);
  assert.equal(containsConcept('a pineapple', 'apple'), false);
  assert.equal(containsConcept('two apples', 'apple'), false, 'no stemming');
  assert.equal(containsConcept('a small kitty', ['cat', 'kitty']), true);
  assert.equal(containsConcept('Café au lait', 'cafe'), true);
  near(conceptAccuracy(['a red apple', 'an orange cat', 'a dog'], ['red apple', 'cat', ['tree', 'bush']]), 2 / 3);
  assert.throws(() => containsConcept('x', '!!'), /has no letters or digits/);
  assert.throws(() => containsConcept('x', []), /no concept name/);
  assert.throws(() => conceptAccuracy([], []), /captions is empty/);
  assert.throws(() => conceptAccuracy(['a'], ['a', 'b']), /1 captions but 2 concepts/);
});
