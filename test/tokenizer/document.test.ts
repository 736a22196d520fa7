/** Vocab ranges and the mixed-modal Document encoding: exact round trips and malformed input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDocument, decodeSequence, DocumentError, encodeDocument, encodeSequence, type Document, type TextCodec } from '../../src/tokenizer/document.js';
import { Vocab } from '../../src/tokenizer/vocab.js';
import { Rng } from '../../src/tensor/random.js';

/** UTF-8 bytes as text ids: an exact codec for tests (the BPE has its own tests). */
const bytes: TextCodec = {
  encode: (t) => [...Buffer.from(t, 'utf8')],
  decode: (ids) => Buffer.from(ids).toString('utf8'),
};
const vocab = new Vocab({ textSize: 256, imageCodes: 1024, imageTokens: 64, maskSentinels: 16 });
const img = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 64 }, () => r.int(1024)); };

test('vocab ranges are contiguous, disjoint and named', () => {
  assert.deepEqual([vocab.text, vocab.images], [{ start: 0, end: 256 }, { start: 256, end: 1280 }]);
  assert.deepEqual([vocab.pad, vocab.eos, vocab.brk, vocab.infill], [1280, 1281, 1282, 1283]);
  assert.deepEqual(vocab.masks, { start: 1284, end: 1300 });
  assert.equal(vocab.size, 1300);
  for (let id = 0; id < vocab.size; id++) {
    const kinds = [vocab.isText(id), vocab.isImage(id), vocab.isSpecial(id)].filter(Boolean).length;
    assert.equal(kinds, 1, `id ${id} belongs to exactly one range`);
  }
  assert.equal(vocab.imageCode(vocab.image(1023)), 1023);
  assert.equal(vocab.maskIndex(vocab.mask(15)), 15);
  assert.equal(vocab.describe(vocab.brk), '<break>');
  assert.equal(vocab.describe(vocab.mask(3)), '<mask:3>');
  assert.throws(() => vocab.image(1024), RangeError);
  assert.throws(() => vocab.mask(16), RangeError);
  assert.throws(() => vocab.imageCode(5), /not an image code/);
  assert.throws(() => new Vocab({ textSize: 0, imageCodes: 1, imageTokens: 1, maskSentinels: 0 }), /textSize/);
});

test('caption <break> image round-trips exactly, with emoji and sentinels', () => {
  const docs: Document[] = [
    [{ kind: 'text', text: 'a Twitter-style emoji of a dog face 🐶' }, { kind: 'image', codes: img(1) }],
    [{ kind: 'image', codes: img(2) }, { kind: 'text', text: 'Describe the given picture. 👩🏽‍🚀 café\n\ttabs  and spaces ' }],
    [{ kind: 'text', text: 'Image of ' }, { kind: 'mask', index: 0 }, { kind: 'text', text: ':' }, { kind: 'image', codes: img(3) },
      { kind: 'infill' }, { kind: 'mask', index: 0 }, { kind: 'text', text: 'a chameleon' }],
    [{ kind: 'text', text: 'literal <break> and <eos> text stay text' }],
  ];
  for (const d of docs) {
    const ids = encodeDocument(d, vocab, bytes);
    assert.deepEqual(decodeDocument(ids, vocab, bytes), d);
  }
  const first = encodeDocument(docs[0], vocab, bytes);
  assert.equal(first.filter((id) => id === vocab.brk).length, 1, 'caption <break> image');
  assert.equal(first[first.length - 65], vocab.brk);
  const seq = encodeSequence(docs, vocab, bytes);
  assert.equal(seq[0], vocab.eos);
  assert.equal(seq[seq.length - 1], vocab.eos);
  assert.deepEqual(decodeSequence([...seq, vocab.pad, vocab.pad], vocab, bytes), docs);
});

test('malformed ids fail with a clear error, never a silently wrong image', () => {
  const good = encodeDocument([{ kind: 'text', text: 'hi' }, { kind: 'image', codes: img(4) }], vocab, bytes);
  const bad: [number[], RegExp][] = [
    [good.slice(0, -1), /needs 64 codes, got 63/],
    [[...good, vocab.image(1)], /needs 64 codes, got 65/],
    [[...good.slice(0, 10), 65, ...good.slice(11)], /text 65 inside an image/],
    [[104, vocab.image(3), 105], /image code 3 inside a text segment/],
    [[104, vocab.brk, vocab.brk, 105], /empty segment/],
    [[vocab.brk, 104], /empty segment/],
    [[104, vocab.eos, 105], /<eos> inside a document/],
    [[104, 99999], /invalid id 99999/],
    [[104, -1], /invalid id -1/],
    [[vocab.mask(0), 104], /must stand alone/],
  ];
  for (const [ids, msg] of bad) assert.throws(() => decodeDocument(ids, vocab, bytes), (e: unknown) => e instanceof DocumentError && msg.test((e as Error).message), String(msg));
  assert.throws(() => encodeDocument([{ kind: 'image', codes: img(5).slice(1) }], vocab, bytes), /needs 64 codes/);
  assert.throws(() => encodeDocument([{ kind: 'text', text: '' }], vocab, bytes), /empty text/);
  assert.throws(() => encodeDocument([], vocab, bytes), /at least one segment/);
  assert.throws(() => encodeDocument([{ kind: 'image', codes: [...img(6).slice(1), 4096] }], vocab, bytes), RangeError);
});
