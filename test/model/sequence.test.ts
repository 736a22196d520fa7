/** RA training sequences (layout, weights, length cap), pair ordering and packing into rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cm3 } from '../../src/model/cm3.js';
import { buildRaSequence, orderPair, pack, PAIR_DEFAULTS, RA_DEFAULTS, type Weighted } from '../../src/model/sequence.js';
import { Rng } from '../../src/tensor/random.js';
import { Vocab } from '../../src/tokenizer/vocab.js';

const vocab = new Vocab({ textSize: 256, imageCodes: 1024, imageTokens: 16, maskSentinels: 16 });
const text = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(256));
const image = (r: Rng) => Array.from({ length: vocab.imageTokens }, () => vocab.image(r.int(1024)));
const pair = (r: Rng) => [...text(r, 1 + r.int(12)), vocab.brk, ...image(r)];
const E = vocab.eos;

test('RA layout `<eos> r1 <eos> r2 <eos> q <eos>` with per-document weights', () => {
  const r1 = [1, 2], r2 = [3], q = [4, vocab.mask(0), vocab.brk, 5, vocab.infill, vocab.mask(0), 6];
  const seq = buildRaSequence(q, [r1, r2], vocab);
  assert.equal(RA_DEFAULTS.retrievedWeight, 1);
  assert.deepEqual(seq.ids, [E, 1, 2, E, 3, E, ...q, E]);
  assert.deepEqual(seq.weights, [0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1]);
  assert.equal(seq.retrievedKept, 2);
  const ra = buildRaSequence(q, [r1, r2], vocab, { retrievedWeight: 0.1 });
  assert.deepEqual(ra.weights, [0, 0.1, 0.1, 0.1, 0.1, 0.1, 1, 0, 1, 1, 1, 0, 1, 1], 'RA-CM3 weighting');
  assert.deepEqual(buildRaSequence(q, [], vocab).ids, [E, ...q, E], 'no retrieval: one framed document');
});

test('RA: the query keeps its CM3 weights; maxLength drops retrieved documents from the end', () => {
  const r = new Rng(3);
  const doc = pair(r);
  const masked = cm3(doc, vocab, r, { maskedFraction: 1 });
  const ret = [pair(r), pair(r), pair(r)];
  const seq = buildRaSequence(masked, ret, vocab, { retrievedWeight: 0.5 });
  const qStart = seq.ids.length - masked.ids.length - 1;
  assert.deepEqual(seq.ids.slice(qStart, -1), masked.ids);
  assert.deepEqual(seq.weights.slice(qStart, -1), masked.weights);
  assert.ok(seq.weights.slice(1, qStart).every((w) => w === 0.5));
  assert.equal(seq.ids.filter((id) => id === E).length, ret.length + 2);
  const full = seq.ids.length;
  const capped = buildRaSequence(masked, ret, vocab, { maxLength: full - 1 });
  assert.equal(capped.retrievedKept, 2);
  assert.deepEqual(capped.ids, buildRaSequence(masked, ret.slice(0, 2), vocab).ids);
  assert.equal(buildRaSequence(masked, ret, vocab, { maxLength: full }).retrievedKept, 3);
  assert.equal(buildRaSequence(masked, ret, vocab, { maxLength: 3 }).retrievedKept, 0, 'the query alone is kept even if too long');
});

test('RA: validation names the bad value', () => {
  assert.throws(() => buildRaSequence([1, E], [], vocab), /the query: position 1 holds <eos>/);
  assert.throws(() => buildRaSequence([1], [[2], [vocab.pad]], vocab), /retrieved document 1: position 0 holds <pad>/);
  assert.throws(() => buildRaSequence([1], [[]], vocab), /retrieved document 0 is empty/);
  assert.throws(() => buildRaSequence({ ids: [1, 2], weights: [1] }, [], vocab), /1 weights for 2 ids/);
  assert.throws(() => buildRaSequence([1], [], vocab, { retrievedWeight: -0.1 }), /retrievedWeight must be >= 0, got -0.1/);
  assert.throws(() => buildRaSequence([1], [], vocab, { maxLength: 2.5 }), /maxLength must be an integer >= 0 \(0 = no limit\), got 2.5/);
  assert.throws(() => buildRaSequence([1], [], vocab, { alpha: 1 } as never), /unknown ra key "alpha" \(valid keys: retrievedWeight, maxLength\)/);
});

test('orderPair: exact layouts and the image-first frequency follows imageFirstProb', () => {
  const r = new Rng(5), cap = text(r, 5), img = image(r);
  assert.equal(PAIR_DEFAULTS.imageFirstProb, 0.5);
  assert.deepEqual(orderPair(cap, img, vocab, r, { imageFirstProb: 0 }), { ids: [...cap, vocab.brk, ...img], imageFirst: false });
  assert.deepEqual(orderPair(cap, img, vocab, r, { imageFirstProb: 1 }), { ids: [...img, vocab.brk, ...cap], imageFirst: true });
  for (const p of [0.25, PAIR_DEFAULTS.imageFirstProb]) {
    const rng = new Rng(11);
    let first = 0;
    for (let i = 0; i < 4000; i++) if (orderPair(cap, img, vocab, rng, { imageFirstProb: p }).imageFirst) first++;
    assert.ok(Math.abs(first / 4000 - p) < 0.025, `p ${p}: ${first} of 4000 image-first`);
  }
  const a = Array.from({ length: 20 }, (_, s) => orderPair(cap, img, vocab, new Rng(s)).imageFirst);
  assert.deepEqual(a, Array.from({ length: 20 }, (_, s) => orderPair(cap, img, vocab, new Rng(s)).imageFirst), 'seeded');
  assert.throws(() => orderPair(cap, img, vocab, r, { imageFirstProb: 2 }), /imageFirstProb must be in \[0, 1\], got 2/);
  assert.throws(() => orderPair([], img, vocab, r), /caption is empty/);
  assert.throws(() => orderPair([...cap, img[0]], img, vocab, r), /caption position 5 holds image code/);
  assert.throws(() => orderPair(cap, img.slice(2), vocab, r), /needs 16 ids, got 14/);
});

test('pack: the documented example, shapes, next-token targets, pad weight 0', () => {
  const A: Weighted = { ids: [E, 1, 2, E], weights: [0, 1, 1, 1] }, B: Weighted = { ids: [E, 3, E], weights: [0, 1, 1] };
  const P = vocab.pad;
  assert.deepEqual(pack([A, B], 7, vocab), [{ ids: [E, 1, 2, E, E, 3, E], targets: [1, 2, E, E, 3, E, P], weights: [1, 1, 1, 0, 1, 1, 0] }]);
  // B does not fit after A in a 5-token row: it opens the next row, whole.
  assert.deepEqual(pack([A, B], 4, vocab), [
    { ids: [E, 1, 2, E], targets: [1, 2, E, P], weights: [1, 1, 1, 0] },
    { ids: [E, 3, E, P], targets: [3, E, P, P], weights: [1, 1, 0, 0] },
  ]);
  assert.deepEqual(pack([], 4, vocab), []);
  assert.throws(() => pack([A], 0, vocab), /contextLength must be an integer >= 1, got 0/);
  assert.throws(() => pack([{ ids: [E], weights: [0] }], 4, vocab), /sequence 0 has 1 tokens/);
  assert.throws(() => pack([{ ids: [E, 1], weights: [0, NaN] }], 4, vocab), /weight 1 must be finite and >= 0, got NaN/);
});

test('pack: a sequence longer than the context is cut into chunks overlapping by one token', () => {
  const ids = Array.from({ length: 20 }, (_, i) => i), weights = ids.map((i) => i / 10);
  const rows = pack([{ ids, weights }, { ids: [E, 99], weights: [0, 1] }], 7, vocab);
  assert.deepEqual(rows.map((r) => r.ids[0]), [0, 7, 14], 'chunks start at 0, L, 2L');
  assert.deepEqual(rows.flatMap((r) => r.targets).filter((t) => t < 20), ids.slice(1), 'every token after the first is a target once');
  assert.deepEqual(rows[2].ids, [14, 15, 16, 17, 18, 19, E], 'the last chunk opens a row the next sequence fills');
  assert.deepEqual(rows[2].targets, [15, 16, 17, 18, 19, E, 99]);
  assert.deepEqual(rows[1].weights, [0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4]);
});

test('pack property: whole sequences per row, every weight counted once, pad and masks weigh 0 end to end', () => {
  let whole = 0;
  for (let seed = 0; seed < 40; seed++) {
    const r = new Rng(seed);
    const seqs: Weighted[] = [];
    for (let i = 0; i < 12; i++) {
      const doc = cm3(orderPair(text(r, 1 + r.int(12)), image(r), vocab, r).ids, vocab, r);
      seqs.push(buildRaSequence(doc, Array.from({ length: r.int(4) }, () => pair(r)), vocab));
    }
    const L = 150 + r.int(100);
    const rows = pack(seqs, L, vocab);
    assert.ok(rows.every((row) => row.ids.length === L && row.targets.length === L && row.weights.length === L));
    assert.deepEqual(pack(seqs, L, vocab), rows, 'deterministic');
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const rowW = sum(rows.map((row) => sum(row.weights))), seqW = sum(seqs.map((s) => sum(s.weights)));
    assert.ok(Math.abs(rowW - seqW) < 1e-9, `weight in rows ${rowW} = weight in sequences ${seqW}`);
    // Rows that hold only whole sequences (none longer than L+1 here) are concatenations of them, in order.
    const fits = seqs.every((s) => s.ids.length <= L + 1);
    if (fits) {
      whole++;
      const stream = rows.flatMap((row) => [row.ids[0], ...row.targets].filter((id) => id !== vocab.pad));
      assert.deepEqual(stream, seqs.flatMap((s) => s.ids));
      for (const row of rows) assert.equal(row.ids[0], E, 'each row starts at a sequence');
    }
    for (const row of rows) {
      row.targets.forEach((t, i) => {
        if (t === vocab.pad || vocab.isMask(t)) assert.equal(row.weights[i], 0, `target ${vocab.describe(t)} weighs 0`);
        else if (!(t === E && row.ids[i] === E)) assert.equal(row.weights[i], 1, `target ${vocab.describe(t)} weighs 1`);
        if (i + 1 < L) assert.equal(row.ids[i + 1], t, 'targets are the next tokens');
      });
    }
  }
  assert.ok(whole >= 10, `${whole} of 40 cases had no over-long sequence`);
});
