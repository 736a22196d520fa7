/** The mixed-modal grammar (per-step rules) and the task prompt layouts, without a model. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  imageGrid, infillSpans, mixedModal, textOnly, untilEos, type Constraint,
} from '../../src/generate/constraints.js';
import {
  boxRegion, captioningPrompt, fillRegion, imageInfillPrompt, maskedUncond, regionRuns, textInfillPrompt, textToImagePrompt,
} from '../../src/generate/prompts.js';
import type { Allowed } from '../../src/generate/logits.js';
import { TINY_VOCAB, Vocab } from '../../src/tokenizer/vocab.js';

// 20 text + 24 codes + <pad> <eos> <break> <infill> + 16 masks = 64 ids; a 3x3 image grid.
const vocab = new Vocab(TINY_VOCAB);
const { eos, brk, infill } = vocab, m = (i: number) => vocab.mask(i), I = (c: number) => vocab.image(c);
const ctx = (prompt: readonly number[] = [eos]) => ({ prompt, promptIndex: 0, sample: 0 });
const images = { ranges: [vocab.images] };

/** Replay a constraint, taking `pick(rule)` at every allow; returns the emitted ids and the stop. */
function run(c: Constraint, prompt: number[], pick: (r: { allow: Allowed }, step: number) => number) {
  const gen: number[] = [];
  for (let step = 0; step < 100; step++) {
    const r = c.next(gen, ctx(prompt));
    if ('stop' in r) return { gen, stop: r.stop };
    gen.push('force' in r ? r.force : pick(r, step));
  }
  throw new Error('no stop');
}

test('imageGrid: exactly imageTokens codes (known ones forced), then the close token, then stop', () => {
  const c = imageGrid(vocab);
  assert.equal(c.maxTokens, 10);
  for (let i = 0; i < 9; i++) assert.deepEqual(c.next(new Array<number>(i).fill(I(0)), ctx()), { allow: images });
  assert.deepEqual(c.next(new Array<number>(9).fill(I(0)), ctx()), { force: eos });
  assert.deepEqual(c.next([...new Array<number>(9).fill(I(0)), eos], ctx()), { stop: 'complete' });
  const known = [3, null, 5, null, null, null, 7, 8, null];
  const res = run(imageGrid(vocab, { known, close: brk }), [eos], () => I(1));
  assert.deepEqual(res.gen, [I(3), I(1), I(5), I(1), I(1), I(1), I(7), I(8), I(1), brk]);
  assert.equal(res.stop, 'complete');
  assert.deepEqual(run(imageGrid(vocab, { close: null }), [], () => I(2)).gen, new Array<number>(9).fill(I(2)));
  assert.throws(() => imageGrid(vocab, { known: [1, 2] }), /known needs 9 entries/);
  assert.throws(() => imageGrid(vocab, { close: I(0) }), /close must be a non-image id/);
  assert.throws(() => imageGrid(vocab, { known: [99, ...new Array<null>(8).fill(null)] }), /image code 99 outside/);
});

test('textOnly: text ids and <eos>; stops after <eos> or at maxTokens', () => {
  const c = textOnly(vocab, { maxTokens: 3 });
  assert.deepEqual(c.next([], ctx()), { allow: { ranges: [vocab.text], ids: [eos] } });
  assert.deepEqual(c.next([1, eos], ctx()), { stop: 'eos' });
  assert.deepEqual(c.next([1, 2, 3], ctx()), { stop: 'length' });
  assert.deepEqual(untilEos(vocab).next([I(0), eos], ctx()), { stop: 'eos' });
  const all = untilEos(vocab).next([], ctx()) as { allow: { ranges: { start: number; end: number }[] } };
  assert.deepEqual(all.allow.ranges, [{ start: 0, end: vocab.pad }, { start: vocab.pad + 1, end: 64 }], 'everything but <pad>');
});

test('infillSpans: span 0, forced <mask:1>, span 1, …, forced <eos>', () => {
  const res = run(infillSpans(vocab, [2, 3]), [infill, m(0)], (r) => { assert.deepEqual(r.allow, images); return I(4); });
  assert.deepEqual(res.gen, [I(4), I(4), m(1), I(4), I(4), I(4), eos]);
  assert.equal(res.stop, 'complete');
  assert.throws(() => infillSpans(vocab, [1, 0]), /span 1 length/);
  assert.throws(() => infillSpans(vocab, new Array<number>(17).fill(1)), /17 spans but only 16/);
});

test('mixedModal: text → <break> → exactly one image → <break>/<eos> → text …', () => {
  const c = mixedModal(vocab), prompt = [eos, 1, 2, brk];
  const gen: number[] = [];
  for (let i = 0; i < 9; i++) {
    assert.deepEqual(c.next(gen, ctx(prompt)), { allow: images }, `code ${i}`);
    gen.push(I(i));
  }
  assert.deepEqual(c.next(gen, ctx(prompt)), { allow: { ids: [brk, eos] } });
  gen.push(brk);
  assert.deepEqual(c.next(gen, ctx(prompt)), { allow: { ranges: [vocab.text] } }, 'after an image: a text segment');
  gen.push(5);
  assert.deepEqual(c.next(gen, ctx(prompt)), { allow: { ranges: [vocab.text], ids: [brk, eos] } });
  gen.push(brk);
  assert.deepEqual(c.next(gen, ctx(prompt)), { allow: images }, 'after text: an image');
  assert.deepEqual(c.next([eos], ctx(prompt)), { stop: 'eos' });
  assert.deepEqual(c.next([], ctx([eos])), { allow: { ranges: [vocab.text, vocab.images] } }, 'a new document');
  assert.deepEqual(mixedModal(vocab, { afterImage: 'eos' }).next(gen.slice(0, 9), ctx(prompt)), { force: eos });
  assert.deepEqual(mixedModal(vocab, { maxTokens: 2 }).next([1, 2], ctx([eos])), { stop: 'length' });
  // A prompt that ends inside an image continues it.
  assert.deepEqual(c.next([I(0)], ctx([eos, 1, brk, I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8)])), { allow: { ids: [brk, eos] } });
});

test('text→image prompt layout (worked example) and the <mask> uncond', () => {
  const r1 = [3, 4, brk, ...new Array<number>(9).fill(I(1))], r2 = [5, brk, ...new Array<number>(9).fill(I(2))];
  const p = textToImagePrompt([7, 8], vocab, { retrieved: [r1, r2] });
  assert.deepEqual(p.ids, [eos, ...r1, eos, ...r2, eos, 7, 8, brk]);
  assert.deepEqual(p.uncond, [eos, m(0), brk]);
  assert.equal(p.constraint?.maxTokens, 10);
  assert.deepEqual(textToImagePrompt([7, 8], vocab, { retrieved: [r1], keepRetrieved: true }).uncond, [eos, ...r1, eos, m(0), brk]);
  assert.deepEqual(textToImagePrompt([7], vocab).ids, [eos, 7, brk]);
  assert.deepEqual(maskedUncond([eos, ...r1, eos, 7, 8, brk], vocab), [eos, m(0), brk]);
  assert.throws(() => maskedUncond([eos, 7, 8], vocab), /must look like/);
  assert.throws(() => textToImagePrompt([], vocab), /caption is empty/);
  assert.throws(() => textToImagePrompt([I(0)], vocab), /not a text id/);
  assert.throws(() => textToImagePrompt([1], vocab, { retrieved: [[1, eos]] }), /retrieved document 0: position 1 holds <eos>/);
});

test('captioning and text-infill prompts follow cm3.ts captionPrompt', () => {
  const img = new Array<number>(9).fill(I(3));
  const cap = captioningPrompt(img, vocab, { maxTokens: 5, template: { before: [1], after: [2] } });
  assert.deepEqual(cap.ids, [eos, 1, m(0), 2, brk, ...img, infill, m(0)]);
  assert.equal(cap.uncond, null);
  assert.equal(cap.constraint?.maxTokens, 6);
  assert.deepEqual(textInfillPrompt({ before: [1, 2], after: [3] }, vocab, { maxTokens: 4 }).ids, [eos, 1, 2, m(0), 3, infill, m(0)]);
  assert.deepEqual(textInfillPrompt({ before: [1], after: [], image: img }, vocab, { maxTokens: 4 }).ids, [eos, 1, m(0), brk, ...img, infill, m(0)]);
});

test('image infill prompts: box → raster runs → <mask:i> body (cm3) or forced known codes (causal)', () => {
  const region = boxRegion({ width: 3, height: 3 }, { x: 1, y: 0, w: 2, h: 2 });
  assert.deepEqual(region.map(Number), [0, 1, 1, 0, 1, 1, 0, 0, 0]);
  assert.deepEqual(regionRuns(region), [{ start: 1, end: 3 }, { start: 4, end: 6 }]);
  const img = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(I);
  const p = imageInfillPrompt(img, region, vocab, { caption: [9] });
  assert.deepEqual(p.ids, [eos, 9, brk, I(0), m(0), I(3), m(1), I(6), I(7), I(8), infill, m(0)]);
  assert.deepEqual(p.uncond, [eos, I(0), m(0), I(3), m(1), I(6), I(7), I(8), brk, m(2), infill, m(0)]);
  const res = run(p.constraint as Constraint, [...p.ids], () => I(20));
  assert.deepEqual(res.gen, [I(20), I(20), m(1), I(20), I(20), eos]);
  assert.deepEqual(fillRegion(img, region, res.gen, vocab), [I(0), I(20), I(20), I(3), I(20), I(20), I(6), I(7), I(8)]);
  assert.equal(imageInfillPrompt(img, region, vocab).uncond, null, 'no caption, nothing to guide with');

  const c = imageInfillPrompt(img, region, vocab, { caption: [9], mode: 'causal' });
  assert.deepEqual(c.ids, [eos, 9, brk]);
  assert.deepEqual(c.uncond, [eos, m(0), brk]);
  const cres = run(c.constraint as Constraint, [...c.ids], () => I(20));
  assert.deepEqual(cres.gen, [I(0), I(20), I(20), I(3), I(20), I(20), I(6), I(7), I(8), eos]);
  assert.deepEqual(fillRegion(img, region, cres.gen, vocab), cres.gen.slice(0, 9));
  assert.throws(() => imageInfillPrompt(img, new Array<boolean>(9).fill(false), vocab), /region is empty/);
  assert.throws(() => fillRegion(img, region, [I(1)], vocab), /1 generated codes for a region of 4 cells/);
});
