// The DiceBear avatar source: ids, captions, licences, PNGs, determinism and the edit twins.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodePng } from '../../src/data/image.js';
import { isSkipped, type SourceItem } from '../../src/data/record.js';
import { colourName, hairColourName } from '../../src/data/sources/avatar_colours.js';
import { AVATAR_DEFAULT_COUNT, avatarSource, optionsFromAttributes, renderAvatar, styleSpec } from '../../src/data/sources/avatar.js';
import { AVATAR_STYLES } from '../../src/data/sources/avatar_styles.js';

const SIZE = 48, LIMIT = 30;

async function collect(seed: number): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const x of avatarSource.items({ size: SIZE, limit: LIMIT, seed })) {
    assert.ok(!isSkipped(x), `skipped ${isSkipped(x) ? `${x.id}: ${x.reason}` : ''}`);
    out.push(x as SourceItem);
  }
  return out;
}

const opts = (x: SourceItem) => Object.fromEntries(Object.entries(x.attributes).filter(([k]) => k.startsWith('opt.')));

describe('avatar source', () => {
  let items: SourceItem[] = [];
  before(async () => { items = await collect(3); });

  it('stops at the limit, covers every style, ids unique and well formed', () => {
    assert.equal(items.length, LIMIT);
    assert.equal(new Set(items.map((x) => x.id)).size, items.length);
    for (const x of items) {
      assert.match(x.id, /^avatar\/[a-z-]+\/\d+(~[a-z-]+)?$/);
      assert.equal(x.source, 'avatar');
      assert.ok(x.id.startsWith(`avatar/${x.style}/`));
      assert.match(x.concept, new RegExp(`^${x.style}:[a-z]+:[a-z-]+$`));
    }
    assert.deepEqual(new Set(items.map((x) => x.style)), new Set(AVATAR_STYLES.map((s) => s.key)));
    assert.equal(AVATAR_DEFAULT_COUNT, 6000);
  });

  it('has at least three non-empty captions without raw option ids', () => {
    for (const x of items) {
      assert.ok(x.captions.length >= 3, x.id);
      assert.equal(new Set(x.captions).size, x.captions.length);
      for (const c of x.captions) {
        assert.ok(c.trim().length > 0, x.id);
        assert.doesNotMatch(c, /variant\d|\b(short|long|happy|sad|light|dark)\d\d\b|[a-z][A-Z]|undefined|null|\*/, `${x.id}: ${c}`);
      }
    }
  });

  it('uses only CC0 / CC-BY artwork with attribution', () => {
    for (const x of items) {
      assert.ok(['CC0-1.0', 'CC-BY-4.0'].includes(x.licence.spdx), `${x.id}: ${x.licence.spdx}`);
      assert.match(x.licence.attribution, /^.+ by .+, via DiceBear$/);
      assert.ok(x.licence.url);
    }
  });

  it('encodes size x size RGB PNGs', async () => {
    for (const x of items) {
      const img = await decodePng(x.image);
      assert.deepEqual([img.width, img.height, img.channels], [SIZE, SIZE, 3], x.id);
      assert.equal(x.size, SIZE);
    }
  });

  it('is deterministic', async () => {
    const again = await collect(3);
    assert.deepEqual(again.map((x) => x.id), items.map((x) => x.id));
    for (let i = 0; i < items.length; i++) {
      assert.deepEqual(again[i].captions, items[i].captions);
      assert.deepEqual(again[i].attributes, items[i].attributes);
      assert.ok(Buffer.from(again[i].image).equals(Buffer.from(items[i].image)), items[i].id);
    }
  });

  it('re-renders an item byte-identically from its attributes', async () => {
    for (const x of items.filter((y) => !y.edit).slice(0, 9)) {
      const r = await renderAvatar(styleSpec(x.style), optionsFromAttributes(x.attributes), String(x.attributes.seed), SIZE);
      assert.ok(Buffer.from(r.png).equals(Buffer.from(x.image)), x.id);
    }
  });

  it('makes edit twins that change exactly one option, locally', async () => {
    const twins = items.filter((x) => x.edit);
    assert.ok(twins.length >= 3, `only ${twins.length} twins`);
    const byId = new Map(items.map((x) => [x.id, x]));
    for (const t of twins) {
      const e = t.edit!;
      const o = byId.get(e.of);
      assert.ok(o && !o.edit, `${t.id}: original ${e.of} missing`);
      assert.equal(t.id, `${e.of}~${e.kind}`);
      // The twin's concept is its own (an added accessory can change it); the build drops twins
      // whose concept lands in another split than the original's.
      assert.ok(t.concept.startsWith(`${t.style}:`), t.concept);
      assert.ok(e.instruction.length > 0 && !/variant\d|[a-z][A-Z]/.test(e.instruction), e.instruction);
      const a = opts(o), b = opts(t);
      assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
      const changed = Object.keys(a).filter((k) => a[k] !== b[k]);
      assert.deepEqual(changed, [`opt.${t.attributes['edit.option']}`], t.id);
      assert.ok(!Buffer.from(t.image).equals(Buffer.from(o.image)), `${t.id}: edited image is identical`);
      // Outside the edited part nothing changes: with the edited component removed from both,
      // the two renders are byte-identical.
      const key = String(t.attributes['edit.option']);
      if (key.endsWith('Probability')) {
        const comp = key.slice(0, -'Probability'.length), spec = styleSpec(t.style);
        const strip = (x: SourceItem) => ({ ...optionsFromAttributes(x.attributes), [comp]: [] as string[] });
        const ra = await renderAvatar(spec, strip(o), e.of, SIZE), rb = await renderAvatar(spec, strip(t), e.of, SIZE);
        assert.ok(Buffer.from(ra.png).equals(Buffer.from(rb.png)), `${t.id}: differs outside ${comp}`);
      }
    }
  });

  it('names colours plainly', () => {
    assert.equal(hairColourName('e5d7a3'), 'blonde');
    assert.equal(hairColourName('0e0e0e'), 'black');
    assert.equal(hairColourName('ab2a18'), 'red');
    assert.equal(colourName('456dff'), 'blue');
    assert.equal(colourName('6dbb58'), 'green');
  });
});
