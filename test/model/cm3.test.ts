/** The CM3 transform: span rules (never across <break>), enumerated sentinels, loss weights, round trip. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/config.js';
import { applySpans, captionPrompt, cm3, CM3_DEFAULTS, cm3Weights, uncm3, type Cm3Result } from '../../src/model/cm3.js';
import { Rng } from '../../src/tensor/random.js';
import { Vocab } from '../../src/tokenizer/vocab.js';

const vocab = new Vocab({ textSize: 256, imageCodes: 1024, imageTokens: 16, maskSentinels: 16 });
const text = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(256));
const image = (r: Rng) => Array.from({ length: vocab.imageTokens }, () => vocab.image(r.int(1024)));

/** 1–4 segments, each text (1–30 tokens) or an image, joined by <break>. */
function randomDoc(r: Rng): number[] {
  const doc: number[] = [];
  const n = 1 + r.int(4);
  for (let s = 0; s < n; s++) {
    if (s > 0) doc.push(vocab.brk);
    doc.push(...(r.uniform() < 0.5 ? text(r, 1 + r.int(30)) : image(r)));
  }
  return doc;
}

/** Every structural rule of one masked result against its source document. */
function checkMasked(doc: number[], res: Cm3Result): void {
  const n = res.spans.length;
  assert.ok(res.masked && n >= 1 && n <= 16, `n = ${n}`);
  res.spans.forEach((s, i) => {
    assert.ok(s.end > s.start, 'non-empty');
    assert.ok(!doc.slice(s.start, s.end).includes(vocab.brk), `span [${s.start}, ${s.end}) crosses <break>`);
    if (i > 0) assert.ok(s.start > res.spans[i - 1].end, 'ordered, non-overlapping, not touching');
  });
  const k = res.ids.indexOf(vocab.infill);
  assert.equal(res.ids.lastIndexOf(vocab.infill), k, 'one <infill>');
  assert.deepEqual(res.ids.slice(0, k).filter((id) => vocab.isMask(id)).map((id) => vocab.maskIndex(id)), [...Array(n).keys()], 'body sentinels 0..n-1');
  assert.deepEqual(res.ids.slice(k + 1).filter((id) => vocab.isMask(id)).map((id) => vocab.maskIndex(id)), [...Array(n).keys()], 'tail sentinels 0..n-1');
  assert.equal(res.ids[k + 1], vocab.mask(0), 'tail opens with <mask:0>');
  assert.equal(res.ids.length, doc.length + 2 * n + 1);
  assert.equal(res.ids.filter((id) => id === vocab.brk).length, doc.filter((id) => id === vocab.brk).length, 'no <break> added or removed');
  res.ids.forEach((id, t) => assert.equal(res.weights[t], vocab.isMask(id) ? 0 : 1, `weight at ${t}`));
  assert.deepEqual(uncm3(res.ids, vocab), doc);
}

test('property: over 3000 random documents spans stay in one segment, sentinels enumerate, round trip exact', () => {
  const counts = new Array<number>(17).fill(0);
  for (let seed = 0; seed < 3000; seed++) {
    const r = new Rng(seed);
    const doc = randomDoc(r);
    const res = cm3(doc, vocab, r, { maskedFraction: 1 });
    checkMasked(doc, res);
    counts[res.spans.length]++;
  }
  // clamp(Poisson(1), 1, 16): P(1) = 0.74, P(2) = 0.18 before collisions trim a few.
  assert.ok(counts[1] > 2000 && counts[1] < 2450, `n = 1 in ${counts[1]} of 3000`);
  assert.ok(counts[2] > 350, `n = 2 in ${counts[2]} of 3000`);
});

test('many spans: a high Poisson rate is clamped to maxSpans, and a small maxSpans is honoured', () => {
  const r = new Rng(7);
  const doc = [...text(r, 300), vocab.brk, ...image(r), vocab.brk, ...text(r, 300)];
  for (const [rate, max] of [[40, 16], [40, 3], [0, 16]] as const) {
    for (let seed = 0; seed < 20; seed++) {
      const res = cm3(doc, vocab, new Rng(seed), { maskedFraction: 1, poissonRate: rate, maxSpans: max });
      checkMasked(doc, res);
      if (rate === 0) assert.equal(res.spans.length, 1, 'Poisson 0 is clamped up to 1');
      else assert.equal(res.spans.length, max);
    }
  }
  // Too short for n non-touching spans: as many as fit, never none.
  for (const len of [1, 2, 3, 5]) {
    for (let seed = 0; seed < 20; seed++) {
      const short = text(new Rng(seed), len), res = cm3(short, vocab, new Rng(seed), { maskedFraction: 1, poissonRate: 40 });
      checkMasked(short, res);
      assert.ok(res.spans.length <= Math.ceil(len / 2), `${res.spans.length} spans in ${len} tokens`);
    }
  }
});

test('the documented worked example: spans moved after <infill>, replaced in place', () => {
  const [a, b, c] = [10, 11, 12], I = [1, 2, 3, 4].map((x) => vocab.image(x));
  const doc = [a, b, c, vocab.brk, ...I];
  const ids = applySpans(doc, [{ start: 1, end: 3 }, { start: 5, end: 7 }], vocab);
  const m = (i: number) => vocab.mask(i);
  assert.deepEqual(ids, [a, m(0), vocab.brk, I[0], m(1), I[3], vocab.infill, m(0), b, c, m(1), I[1], I[2]]);
  assert.deepEqual(cm3Weights(ids, vocab), [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1]);
  assert.deepEqual(uncm3(ids, vocab), doc);
  assert.throws(() => applySpans(doc, [{ start: 2, end: 5 }], vocab), /crosses a <break>/);
  assert.throws(() => applySpans(doc, [{ start: 1, end: 3 }, { start: 2, end: 4 }], vocab), /overlaps/);
  assert.throws(() => applySpans(doc, [{ start: 2, end: 2 }], vocab), /empty/);
});

test('maskedFraction: the transformed share matches the setting; unmasked documents are untouched', () => {
  for (const fraction of [0, 0.3, CM3_DEFAULTS.maskedFraction, 1]) {
    let masked = 0;
    for (let seed = 0; seed < 3000; seed++) {
      const r = new Rng(1e6 + seed);
      const doc = randomDoc(r);
      const res = cm3(doc, vocab, r, { maskedFraction: fraction });
      if (res.masked) masked++;
      else {
        assert.equal(res.skipped, 'fraction');
        assert.deepEqual([res.ids, res.weights, res.spans], [doc, doc.map(() => 1), []]);
      }
    }
    assert.ok(Math.abs(masked / 3000 - fraction) < 0.03, `fraction ${fraction}: ${masked} of 3000 masked`);
  }
});

test('modality restriction: text-only spans (captioning), image-only spans (image infilling), no room', () => {
  const isImg = (doc: number[], s: { start: number }) => vocab.isImage(doc[s.start]);
  let textSpans = 0, imageSpans = 0;
  for (let seed = 0; seed < 500; seed++) {
    const r = new Rng(2e6 + seed);
    const doc = [...text(r, 1 + r.int(20)), vocab.brk, ...image(r)];
    const t = cm3(doc, vocab, r, { maskedFraction: 1, modality: 'text' });
    const i = cm3(doc, vocab, r, { maskedFraction: 1, modality: 'image' });
    checkMasked(doc, t); checkMasked(doc, i);
    assert.ok(t.spans.every((s) => !isImg(doc, s)) && i.spans.every((s) => isImg(doc, s)));
    const any = cm3(doc, vocab, r, { maskedFraction: 1 });
    for (const s of any.spans) if (isImg(doc, s)) imageSpans++; else textSpans++;
  }
  assert.ok(textSpans > 50 && imageSpans > 50, `'any' reaches both modalities (${textSpans} text, ${imageSpans} image spans)`);
  const imageOnly = image(new Rng(3));
  const res = cm3(imageOnly, vocab, new Rng(1), { maskedFraction: 1, modality: 'text' });
  assert.deepEqual([res.masked, res.skipped, res.ids], [false, 'no-room', imageOnly]);
  assert.equal(cm3([], vocab, new Rng(1), { maskedFraction: 1 }).skipped, 'no-room');
});

test('determinism: the same seed gives the same transform, different seeds vary', () => {
  const doc = randomDoc(new Rng(42)).concat(vocab.brk, text(new Rng(43), 30));
  const run = (seed: number) => cm3(doc, vocab, new Rng(seed), { maskedFraction: 1 });
  assert.deepEqual(run(5), run(5));
  const distinct = new Set(Array.from({ length: 50 }, (_, s) => JSON.stringify(run(s).ids)));
  assert.ok(distinct.size > 30, `${distinct.size} distinct transforms from 50 seeds`);
});

test('captioning prompt: `[before] <mask:0> [after] <break> image <infill> <mask:0>`, a prefix of the training form', () => {
  const r = new Rng(9);
  const caption = text(r, 12), img = image(r), before = [73, 109], after = [58];
  const prompt = captionPrompt(img, vocab);
  assert.deepEqual(prompt, [vocab.mask(0), vocab.brk, ...img, vocab.infill, vocab.mask(0)]);
  const doc = [...caption, vocab.brk, ...img];
  const training = applySpans(doc, [{ start: 0, end: caption.length }], vocab);
  assert.deepEqual(training, [...prompt, ...caption], 'training ids = prompt ++ caption');
  assert.deepEqual(uncm3([...prompt, ...caption], vocab), doc);
  const templated = captionPrompt(img, vocab, { before, after });
  assert.deepEqual(templated.slice(0, 5), [...before, vocab.mask(0), ...after, vocab.brk]);
  assert.deepEqual(uncm3([...templated, ...caption], vocab), [...before, ...caption, ...after, vocab.brk, ...img]);
  assert.throws(() => captionPrompt(img.slice(1), vocab), /needs 16 ids, got 15/);
  assert.throws(() => captionPrompt([...img.slice(1), 5], vocab), /image position 15 holds text 5/);
  assert.throws(() => captionPrompt(img, vocab, { before: [vocab.brk] }), /template holds <break>/);
});

test('options and documents are validated with errors that name the bad value', () => {
  const r = new Rng(1), doc = [1, 2, 3];
  assert.throws(() => cm3(doc, vocab, r, { maskedFraction: 1.5 }), (e: Error) => e instanceof RangeError && /maskedFraction.*1\.5/.test(e.message));
  assert.throws(() => cm3(doc, vocab, r, { maxSpans: 0 }), /maxSpans must be an integer >= 1, got 0/);
  assert.throws(() => cm3(doc, vocab, r, { maxSpans: 17 }), /maxSpans 17 exceeds the vocabulary's 16 mask sentinels/);
  assert.throws(() => cm3(doc, vocab, r, { poissonRate: -1 }), /poissonRate must be >= 0, got -1/);
  assert.throws(() => cm3(doc, vocab, r, { modality: 'audio' } as never), /modality must be one of any, text, image, got "audio"/);
  assert.throws(() => cm3(doc, vocab, r, { spans: 3 } as never), (e: Error) => e instanceof ConfigError && /unknown cm3 key "spans" \(valid keys: maskedFraction/.test(e.message));
  assert.throws(() => cm3([1, vocab.eos, 2], vocab, r), /position 1 holds <eos>/);
  assert.throws(() => cm3([1, vocab.mask(0)], vocab, r), /position 1 holds <mask:0>/);
  assert.throws(() => cm3([1, vocab.image(3)], vocab, r), /text and image need a <break>/);
  const small = new Vocab({ ...vocab.config, maskSentinels: 4 });
  assert.throws(() => cm3(doc, small, r), /maxSpans 16 exceeds the vocabulary's 4/);
  assert.equal(cm3(doc, small, new Rng(2), { maxSpans: 4, maskedFraction: 1 }).masked, true);
});

test('uncm3 is the identity on plain ids and rejects malformed CM3 ids', () => {
  const m = (i: number) => vocab.mask(i);
  assert.deepEqual(uncm3([1, 2, vocab.brk, 3], vocab), [1, 2, vocab.brk, 3]);
  assert.throws(() => uncm3([1, m(0), 2], vocab), /<mask:0> has no matching span/);
  assert.throws(() => uncm3([1, m(0), vocab.infill, m(1), 2], vocab), /expected <mask:0>, got <mask:1>/);
  assert.throws(() => uncm3([1, m(0), vocab.infill, 2], vocab), /unexpected text 2 in the infill tail/);
  assert.throws(() => uncm3([1, m(0), vocab.infill, m(0)], vocab), /span is empty/);
  assert.throws(() => uncm3([1, m(0), vocab.infill, m(0), 2, m(1), 3], vocab), /body has 1 masks but the tail 2 spans/);
  assert.throws(() => uncm3([m(1), vocab.infill, m(0), 2], vocab), /<mask:1> has no matching span \(expected <mask:0>/);
});
