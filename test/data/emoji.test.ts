// Tests for the emoji source (src/data/sources/emoji.ts): a small limited run across all four
// styles, skin-tone items, and missing/corrupt files reported as skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '../../src/data/image.js';
import { isSkipped, type SourceItem, type Skipped } from '../../src/data/record.js';
import {
  EMOJI_STYLES, emojiItems, emojiSource, loadEmojiEntries, normCodepoint, renderEmoji, type EmojiEntry,
} from '../../src/data/sources/emoji.js';

const SPDX: Record<string, string> = { google: 'Apache-2.0', twitter: 'CC-BY-4.0', openmoji: 'CC-BY-SA-4.0', 'openmoji-black': 'CC-BY-SA-4.0' };

async function collect(it: AsyncIterable<SourceItem | Skipped>): Promise<(SourceItem | Skipped)[]> {
  const out: (SourceItem | Skipped)[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function checkItem(it: SourceItem, size: number): Promise<void> {
  assert.equal(it.source, 'emoji');
  assert.ok(it.id.startsWith(`emoji/${it.style}/`), it.id);
  assert.ok(it.captions.length >= 3, `${it.id}: ${it.captions.length} captions`);
  for (const c of it.captions) assert.ok(c.trim().length > 0);
  assert.equal(it.licence.spdx, SPDX[it.style], it.id);
  assert.ok(it.licence.attribution.length > 0);
  assert.equal(it.size, size);
  assert.deepEqual(it.boxes, []);
  assert.equal(it.mask, null);
  assert.equal(it.edit, null);
  assert.equal(it.concept, it.concept.toLowerCase());
  const png = await decodePng(it.image);
  assert.deepEqual([png.width, png.height, png.channels, png.data.length], [size, size, 3, size * size * 3]);
}

test('normCodepoint lower-cases and drops fe0f', () => {
  assert.equal(normCodepoint('1F3CB-FE0F-200D-2642-FE0F'), '1f3cb-200d-2642');
});

test('a limited run covers all four styles with valid items', async () => {
  const items = await collect(emojiSource.items({ size: 64, seed: 7, limit: 40 }));
  assert.equal(items.length, 40);
  const recs = items.filter((x): x is SourceItem => !isSkipped(x));
  assert.equal(recs.length, 40, 'no skips expected for packaged files');
  assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'ids unique');
  assert.deepEqual(new Set(recs.map((r) => r.style)), new Set(EMOJI_STYLES));
  const concepts = new Map<string, string>();
  for (const r of recs) {
    await checkItem(r, 64);
    const cp = r.attributes.codepoint as string;
    assert.ok(r.id.endsWith(`/${cp}`));
    if (concepts.has(cp)) assert.equal(concepts.get(cp), r.concept, `concept differs across styles for ${cp}`);
    concepts.set(cp, r.concept);
  }
  const black = recs.find((r) => r.style === 'openmoji-black')!;
  assert.ok(black.captions.some((c) => /line|outline/.test(c)), black.captions.join(' | '));
  // Deterministic: the same seed gives the same captions.
  const again = await collect(emojiSource.items({ size: 64, seed: 7, limit: 4 }));
  assert.deepEqual((again as SourceItem[]).map((r) => r.captions), recs.slice(0, 4).map((r) => r.captions));
});

test('metadata never points at apple or facebook images', () => {
  const entries = loadEmojiEntries();
  assert.ok(entries.length > 4000);
  for (const e of entries) for (const f of Object.values(e.files)) assert.ok(!/apple|facebook/.test(f!), f);
});

test('skin-tone variants are items with skinTone and share the base concept', async () => {
  const entries = loadEmojiEntries().filter((e) => e.codepoint.startsWith('1f44b'));
  assert.equal(entries.length, 6);
  const recs = (await collect(emojiItems({ size: 32, seed: 1 }, entries))) as SourceItem[];
  assert.equal(recs.length, 24);
  for (const r of recs) {
    await checkItem(r, 32);
    assert.equal(r.concept, 'waving hand');
  }
  const toned = recs.filter((r) => r.attributes.codepoint !== '1f44b');
  assert.equal(toned.length, 20);
  for (const r of toned) {
    assert.ok(typeof r.attributes.skinTone === 'string', r.id);
    assert.ok(r.captions.some((c) => c.includes(`${r.attributes.skinTone as string} skin tone`)), r.captions.join(' | '));
  }
  assert.equal(recs.find((r) => r.id === 'emoji/google/1f44b-1f3fe')!.attributes.skinTone, 'medium-dark');
  assert.ok(!('skinTone' in recs.find((r) => r.id === 'emoji/twitter/1f44b')!.attributes));
  // Multi-person tone combinations are included too.
  const combo = loadEmojiEntries().find((e) => e.skinTone?.includes('+'));
  assert.ok(combo, 'a multi-person skin-tone combination');
});

test('missing and corrupt files are skipped, and the run continues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-emoji-'));
  try {
    const real = loadEmojiEntries().find((e) => e.codepoint === '1f436')!;
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    writeFileSync(join(dir, 'bad.svg'), '<svg');
    const bogus: EmojiEntry = { ...real, codepoint: 'fffff', files: { google: join(dir, 'missing.png'), twitter: join(dir, 'bad.png'), openmoji: join(dir, 'bad.svg') } };
    const miss = await renderEmoji(bogus, 'google', { size: 16, seed: 0 });
    assert.ok(isSkipped(miss));
    assert.equal(miss.id, 'emoji/google/fffff');
    assert.match(miss.reason, /missing file/);
    const out = await collect(emojiItems({ size: 16, seed: 0 }, [bogus, real]));
    const skips = out.filter(isSkipped);
    assert.deepEqual(skips.map((s) => s.id), ['emoji/google/fffff', 'emoji/twitter/fffff', 'emoji/openmoji/fffff']);
    assert.match(skips[1].reason, /cannot decode/);
    assert.match(skips[2].reason, /cannot decode/);
    const recs = out.filter((x): x is SourceItem => !isSkipped(x));
    assert.equal(recs.length, 4);
    assert.equal(recs[0].concept, 'dog face');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
