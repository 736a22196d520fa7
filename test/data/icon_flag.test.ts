/**
 * test/data/icon_flag.test.ts — the Tabler icon and flag-icons sources on a small subset: unique
 * ids, captions, licences, image size, icon colour and margins, flag letterboxing, determinism.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSkipped, type Skipped, type Source, type SourceItem, type SourceOptions } from '../../src/data/record.js';
import { decodePng } from '../../src/data/image.js';
import { iconSource, ICON_PALETTE, prepareIconSvg, thicknessWord } from '../../src/data/sources/icon.js';
import { describeFlag, flagSource, placeRef, type CountryMeta } from '../../src/data/sources/flag.js';

const SIZE = 64;
const OPTS: SourceOptions = { size: SIZE, limit: 16, seed: 7 };

async function collect(src: Source, opts: SourceOptions): Promise<(SourceItem | Skipped)[]> {
  const out: (SourceItem | Skipped)[] = [];
  for await (const x of src.items(opts)) out.push(x);
  return out;
}

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function commonChecks(items: (SourceItem | Skipped)[], source: string): SourceItem[] {
  const ids = items.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'ids unique');
  const recs = items.filter((x): x is SourceItem => !isSkipped(x));
  assert.ok(recs.length >= 8, `enough records (${recs.length})`);
  for (const r of recs) {
    assert.equal(r.source, source);
    assert.ok(r.id.startsWith(`${source}/${r.style}/`), r.id);
    assert.ok(r.captions.length >= 3, `${r.id}: ${r.captions.length} captions`);
    for (const c of r.captions) assert.ok(c.trim().length > 0, `${r.id}: empty caption`);
    assert.ok(r.licence.spdx.length > 0 && r.licence.attribution.length > 0, `${r.id}: licence`);
    assert.ok(r.concept.length > 0);
    assert.equal(r.size, SIZE);
  }
  return recs;
}

test('icon source: ids, captions, variants, colours, margins', async () => {
  const items = await collect(iconSource, OPTS);
  assert.equal(items.length, OPTS.limit);
  const recs = commonChecks(items, 'icon');
  const styles = new Set(recs.map((r) => r.style));
  assert.ok(styles.has('tabler-outline') && styles.has('tabler-filled'), `both variants: ${[...styles]}`);
  for (const r of recs) {
    const a = r.attributes;
    assert.equal(r.concept, a.name);
    assert.equal(r.style, `tabler-${a.variant}`);
    if (a.variant === 'outline') {
      assert.equal(a.thickness, thicknessWord(a.strokeWidth as number));
    } else {
      assert.equal(a.strokeWidth, undefined);
    }
    const pal = ICON_PALETTE.find((p) => p.name === a.colour);
    assert.ok(pal && pal.hex === a.colourHex, `${r.id}: palette colour`);
    assert.ok(r.captions.some((c) => c.includes(String(a.colour))), `${r.id}: colour named in a caption`);

    const img = await decodePng(r.image);
    assert.deepEqual([img.width, img.height, img.channels], [SIZE, SIZE, 3]);
    const [cr, cg, cb] = hexRgb(String(a.colourHex));
    // Every pixel should be a blend of white and the colour (anti-aliasing): p = c*t + 255*(1-t).
    let darkest = -1, dist = -1, nonWhite = 0;
    for (let i = 0; i < SIZE * SIZE; i++) {
      const p = [img.data[3 * i], img.data[3 * i + 1], img.data[3 * i + 2]];
      const d = 765 - p[0] - p[1] - p[2];
      if (d > 6) nonWhite++;
      if (d > dist) { dist = d; darkest = i; }
      const c = [cr, cg, cb];
      const k = c.reduce((best, v, j) => (255 - v > 255 - c[best] ? j : best), 0);
      const t = 255 - c[k] > 0 ? (255 - p[k]) / (255 - c[k]) : 0;
      for (let j = 0; j < 3; j++) {
        const expect = c[j] * t + 255 * (1 - t);
        assert.ok(Math.abs(p[j] - expect) <= 12, `${r.id}: pixel ${i} ${p} not a white/${a.colourHex} blend`);
      }
    }
    assert.ok(nonWhite > SIZE, `${r.id}: icon drawn (${nonWhite} px)`);
    const dp = [img.data[3 * darkest], img.data[3 * darkest + 1], img.data[3 * darkest + 2]];
    const err = Math.max(Math.abs(dp[0] - cr), Math.abs(dp[1] - cg), Math.abs(dp[2] - cb));
    assert.ok(err <= 40, `${r.id}: darkest pixel ${dp} vs ${a.colourHex}`);
    // Not clipped: the 1-pixel border is white.
    for (let k = 0; k < SIZE; k++) {
      for (const [x, y] of [[k, 0], [k, SIZE - 1], [0, k], [SIZE - 1, k]]) {
        const i = 3 * (y * SIZE + x);
        assert.ok(img.data[i] + img.data[i + 1] + img.data[i + 2] >= 765 - 6, `${r.id}: border pixel (${x},${y})`);
      }
    }
  }
});

test('icon svg preparation: colour, stroke width, margin', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" stroke="currentColor" stroke-width="2"><path d="M2 2h20"/></svg>';
  const out = prepareIconSvg(svg, '#123456', 2.5);
  assert.ok(!out.includes('currentColor') && out.includes('#123456'));
  assert.ok(out.includes('stroke-width="2.5"') && !out.includes('stroke-width="2"'));
  assert.ok(out.includes('viewBox="-2.4 -2.4 28.8 28.8"'), out);
});

test('flag source: ids, captions, letterboxing', async () => {
  const items = await collect(flagSource, OPTS);
  assert.equal(items.length, OPTS.limit);
  const recs = commonChecks(items, 'flag');
  const styles = new Set(recs.map((r) => r.style));
  assert.deepEqual([...styles].sort(), ['flag-1x1', 'flag-4x3']);
  for (const r of recs) {
    assert.equal(r.concept, r.attributes.name);
    assert.ok(r.captions.some((c) => c.includes(String(r.attributes.displayName))), `${r.id}: name in caption`);
    const img = await decodePng(r.image);
    assert.deepEqual([img.width, img.height, img.channels], [SIZE, SIZE, 3]);
    const rowWhite = (y: number) => {
      for (let x = 0; x < SIZE; x++) {
        const i = 3 * (y * SIZE + x);
        if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 765 - 6) return false;
      }
      return true;
    };
    if (r.style === 'flag-4x3') {
      const pad = Math.floor((SIZE - SIZE * 3 / 4) / 2);
      for (let y = 0; y < pad - 1; y++) {
        assert.ok(rowWhite(y) && rowWhite(SIZE - 1 - y), `${r.id}: letterbox row ${y}`);
      }
    }
    let coloured = 0;
    for (let y = 0; y < SIZE; y++) if (!rowWhite(y)) coloured++;
    assert.ok(coloured > SIZE / 4, `${r.id}: flag drawn`);
  }
});

test('flag captions: articles and capitals', () => {
  assert.equal(placeRef('France'), 'France');
  assert.equal(placeRef('Netherlands'), 'the Netherlands');
  assert.equal(placeRef('United States of America'), 'the United States of America');
  const fr = { code: 'fr', name: 'France', capital: 'Paris', continent: 'Europe', iso: true };
  for (let seed = 0; seed < 4; seed++) {
    for (const style of ['flag-4x3', 'flag-1x1'] as const) {
      const d = describeFlag(fr, style, seed);
      assert.ok(d.captions.length >= 3);
      assert.ok(d.captions.some((c) => /France/.test(c) && /Europe/.test(c) && /Paris/.test(c)), d.captions.join(' | '));
      assert.equal(d.attributes.capital, 'Paris');
    }
  }
  const nl = describeFlag({ code: 'nl', name: 'Netherlands', capital: 'Amsterdam', continent: 'Europe', iso: true }, 'flag-4x3', 1);
  assert.ok(nl.captions.every((c) => !/\bof Netherlands/.test(c)), nl.captions.join(' | '));
});

test('flag captions: every country.json entry gets >= 3 distinct captions', () => {
  const dir = dirname(createRequire(import.meta.url).resolve('flag-icons/package.json'));
  const metas = JSON.parse(readFileSync(join(dir, 'country.json'), 'utf8')) as CountryMeta[];
  assert.ok(metas.length > 200);
  for (const m of metas) {
    for (const style of ['flag-4x3', 'flag-1x1'] as const) {
      const d = describeFlag(m, style, 3);
      assert.ok(d.captions.length >= 3, `${m.code}: ${d.captions.join(' | ')}`);
    }
  }
});

test('sources are deterministic', async () => {
  for (const src of [iconSource, flagSource]) {
    const a = await collect(src, { ...OPTS, limit: 6 });
    const b = await collect(src, { ...OPTS, limit: 6 });
    assert.deepEqual(a, b);
    const c = await collect(src, { ...OPTS, limit: 6, seed: 8 });
    assert.deepEqual(c.map((x) => x.id), a.map((x) => x.id), 'order does not depend on the seed');
  }
});
