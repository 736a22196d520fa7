/**
 * Dataset build end to end on the tiny subset: every source present, deterministic and
 * concept-disjoint splits, held-out style, non-empty captions, licences, atomic writes, and the
 * contact sheet / stats tooling.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildDataset, TINY_LIMITS } from '../../src/data/build.js';
import { decodePng } from '../../src/data/image.js';
import type { DataRecord } from '../../src/data/record.js';
import { contactSheet, wrap } from '../../src/data/sheet.js';
import { SOURCE_NAMES } from '../../src/data/sources/index.js';
import { assignSplit, unitHash } from '../../src/data/splits.js';
import { datasetStats } from '../../src/data/stats.js';
import { DatasetWriter, openDataset } from '../../src/data/store.js';

let dir = '';
let records: DataRecord[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cm3leon-data-'));
  await buildDataset({ out: join(dir, 'tiny'), sources: SOURCE_NAMES, size: 64, seed: 0, limit: TINY_LIMITS });
  records = await (await openDataset(join(dir, 'tiny'))).records();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the tiny build has every source, unique ids, 64x64 PNGs, captions and licences', async () => {
  for (const s of SOURCE_NAMES) assert.ok(records.some((r) => r.source === s), `source ${s} missing`);
  assert.equal(new Set(records.map((r) => r.id)).size, records.length);
  for (const r of records) {
    assert.ok(r.captions.length >= 1 && r.captions.every((c) => c.trim().length > 0), `${r.id}: empty caption`);
    assert.ok(r.licence.spdx && r.licence.attribution, `${r.id}: licence missing`);
    assert.ok(!/apple|facebook/i.test(r.style), `${r.id}: forbidden emoji art`);
  }
  const img = await decodePng(records[0].image);
  assert.deepEqual([img.width, img.height, img.channels], [64, 64, 3]);
  const ds = await openDataset(join(dir, 'tiny'));
  assert.equal(ds.manifest.count, records.length);
  assert.ok(Object.values(ds.manifest.sources).every((s) => s.written > 0));
});

test('splits are deterministic and hold out whole concepts and the twitter emoji style', () => {
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const r of records) {
    assert.equal(r.split, assignSplit(r), r.id);
    if (r.edit) assert.equal(r.split, byId.get(r.edit.of)?.split, `${r.id}: an edit pair never straddles splits`);
  }
  const bySplit = new Map<string, Set<string>>();
  for (const r of records) {
    const key = `${r.source}:${r.concept}`;
    if (!bySplit.has(key)) bySplit.set(key, new Set());
    bySplit.get(key)!.add(r.split === 'heldout-concept' ? 'concept' : 'other');
  }
  for (const [k, s] of bySplit) assert.equal(s.size, 1, `concept ${k} is both held out and not`);
  for (const r of records.filter((x) => x.split === 'heldout-style')) assert.deepEqual([r.source, r.style], ['emoji', 'twitter']);
  assert.ok(records.some((r) => r.split === 'train'));
  // The held-out fraction is ~10% of concepts (checked on the hash, not the tiny sample).
  let held = 0;
  for (let i = 0; i < 20000; i++) if (unitHash(`emoji:concept ${i}`) < 0.1) held++;
  assert.ok(Math.abs(held / 20000 - 0.1) < 0.01, `held-out fraction ${held / 20000}`);
});

test('rebuilding with the same seed gives identical records', async () => {
  await buildDataset({ out: join(dir, 'again'), sources: ['scene', 'icon'], size: 64, seed: 0, limit: { scene: 6, icon: 6 } });
  const again = await (await openDataset(join(dir, 'again'))).records();
  for (const r of again) {
    const same = records.find((x) => x.id === r.id);
    if (!same) continue;
    assert.deepEqual(r.captions, same.captions, r.id);
    assert.deepEqual(Buffer.from(r.image), Buffer.from(same.image), r.id);
  }
});

test('an aborted build leaves nothing behind; a finished one replaces the old dataset atomically', async () => {
  const before = readdirSync(dir).sort();
  const w = await DatasetWriter.create(join(dir, 'aborted'));
  await w.add(records.slice(0, 3));
  w.abort();
  assert.deepEqual(readdirSync(dir).sort(), before);
  assert.ok(!existsSync(join(dir, 'aborted')));
  const w2 = await DatasetWriter.create(join(dir, 'again'));
  await w2.add(records.slice(0, 2));
  await w2.finish({ sources: {}, options: {} });
  assert.equal(await (await openDataset(join(dir, 'again'))).count(), 2);
  assert.deepEqual(readdirSync(dir).sort(), before, 'no temp or backup directories left');
  await assert.rejects(openDataset(join(dir, 'nope')), /not a cm3leon dataset/);
  // An existing directory that is not a dataset is never replaced (or deleted).
  mkdirSync(join(dir, 'precious'));
  writeFileSync(join(dir, 'precious', 'notes.txt'), 'keep me');
  await assert.rejects(DatasetWriter.create(join(dir, 'precious')), /refusing to replace/);
  assert.equal(readFileSync(join(dir, 'precious', 'notes.txt'), 'utf8'), 'keep me');
  rmSync(join(dir, 'precious'), { recursive: true });
});

test('stats count what was written; the contact sheet renders', async () => {
  const s = await datasetStats(await openDataset(join(dir, 'tiny')));
  assert.equal(s.total, records.length);
  assert.equal(Object.values(s.bySource).reduce((a, b) => a + b, 0), records.length);
  assert.ok(s.captions.perRecordMin >= 1);
  const png = contactSheet(records.slice(0, 6), { cols: 3 });
  const img = await decodePng(png);
  assert.ok(img.width > 3 * 128 && img.height > 2 * 128);
  assert.deepEqual(wrap('a very long caption that needs wrapping', 12, 2), ['a very long', 'caption tha…']);
});
