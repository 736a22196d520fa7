/**
 * Procedural scenes (src/data/synth): exact rasterisers, determinism by seed, exact ground truth
 * (decoded PNG image and mask == a fresh render of the recorded attributes, boxes, colours),
 * captions, edit pairs that change only what the instruction says, stickers, limits, licence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePng } from '../../src/data/image.js';
import { isSkipped, type DataRecord, type SourceItem } from '../../src/data/record.js';
import { Rng } from '../../src/tensor/random.js';
import { COLOURS, SHAPES, coverage, insideShape, pluralShape, type ColourName } from '../../src/data/synth/shapes.js';
import { renderBackground, type Sticker } from '../../src/data/synth/scene.js';
import {
  applyEdit, checkScene, makeSceneSource, radiusOf, renderScene, sampleScene, sceneFromAttributes, sceneSource,
  type Scene,
} from '../../src/data/synth/source.js';

const SIZE = 48;

async function collect(seed: number, limit: number, src = sceneSource, size = SIZE): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const it of src.items({ seed, limit, size })) {
    assert.ok(!isSkipped(it));
    out.push(it);
  }
  return out;
}

/** Bounding boxes [x0, x1) x [y0, y1) of each instance, recomputed from a mask. */
function boxesFromMask(mask: Uint8Array, size: number, n: number) {
  const b = Array.from({ length: n }, () => ({ x0: size, y0: size, x1: 0, y1: 0 }));
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p];
    if (m === 0) continue;
    assert.ok(m <= n, `mask value ${m} > ${n} instances`);
    const x = p % size, y = Math.floor(p / size), q = b[m - 1];
    q.x0 = Math.min(q.x0, x); q.x1 = Math.max(q.x1, x + 1); q.y0 = Math.min(q.y0, y); q.y1 = Math.max(q.y1, y + 1);
  }
  return b;
}

const sticker = (size: number): Sticker => {
  const rgba = new Uint8Array(size * size * 4);
  for (let p = 0; p < size * size; p++) rgba.set([(p * 7) % 256, (p >> 3) % 256, 90, p % 3 === 0 ? 0 : 255], 4 * p);
  return { name: 'test pattern', rgba };
};

/**
 * Decode a mask PNG to one channel. encodeGreyPng is meant to write 8-bit grey, but sharp may store
 * it as RGB with R = G = B; accept either and require equal channels.
 */
async function greyMask(png: Uint8Array) {
  const m = await decodePng(png);
  if (m.channels === 1) return m;
  assert.equal(m.channels, 3, `mask has ${m.channels} channels`);
  const data = new Uint8Array(m.width * m.height);
  for (let p = 0; p < data.length; p++) {
    data[p] = m.data[3 * p];
    assert.ok(m.data[3 * p + 1] === data[p] && m.data[3 * p + 2] === data[p], 'mask channels differ');
  }
  return { ...m, data, channels: 1 };
}

/** Checks one record against a fresh render of its attributes; returns the scene and decoded pixels. */
async function checkRecord(r: SourceItem, st: Sticker | null = null) {
  const scene = sceneFromAttributes(r.attributes, st);
  const fresh = renderScene(scene);
  const img = await decodePng(r.image), mask = await greyMask(r.mask!);
  assert.deepEqual([img.width, img.height, img.channels], [r.size, r.size, 3], r.id);
  assert.deepEqual([mask.width, mask.height], [r.size, r.size], r.id);
  assert.ok(Buffer.from(img.data).equals(Buffer.from(fresh.rgb)), `${r.id}: image != fresh render`);
  assert.ok(Buffer.from(mask.data).equals(Buffer.from(fresh.mask)), `${r.id}: mask != fresh render`);
  const n = scene.objects.length;
  assert.ok(n >= 1 && n <= 4, `${r.id}: ${n} objects`);
  assert.equal(checkScene(scene), null, r.id);
  assert.deepEqual(r.boxes.map(({ x0, y0, x1, y1 }) => ({ x0, y0, x1, y1 })), boxesFromMask(mask.data, r.size, n), r.id);
  assert.deepEqual(r.boxes.map((b) => b.label), scene.objects.map((o) => `${o.colour} ${o.shape}`));
  const bg = renderBackground(r.size, st);
  for (let p = 0; p < mask.data.length; p++) {
    const m = mask.data[p];
    const want = m === 0 ? [bg[3 * p], bg[3 * p + 1], bg[3 * p + 2]] : COLOURS[scene.objects[m - 1].colour];
    assert.deepEqual([img.data[3 * p], img.data[3 * p + 1], img.data[3 * p + 2]], [...want], `${r.id} pixel ${p}`);
  }
  for (const o of scene.objects) {
    const rad = radiusOf(o.sizeClass, r.size);
    assert.ok(o.cx - rad >= 0 && o.cx + rad <= r.size && o.cy - rad >= 0 && o.cy + rad <= r.size, `${r.id} leaves canvas`);
  }
  assert.ok(r.captions.length >= 3, r.id);
  for (const c of r.captions) {
    assert.ok(c.trim().length > 0);
    for (const o of scene.objects) {
      assert.ok(c.includes(`${o.colour} ${o.shape}`) || c.includes(`${o.colour} ${pluralShape(o.shape)}`), `${r.id}: "${c}" misses ${o.colour} ${o.shape}`);
    }
  }
  assert.equal(r.concept, scene.objects.map((o) => `${o.shape}:${o.colour}`).sort().join('+'));
  assert.deepEqual(r.licence, { spdx: 'CC0-1.0', attribution: 'cm3leon procedural scenes' });
  assert.equal(r.source, 'scene');
  return { scene, img: img.data, mask: mask.data, fresh };
}

test('rasterisers: exact pixel-centre coverage, bounded, symmetric', () => {
  const W = 40;
  for (const s of SHAPES) {
    const g = coverage(s, 20, 20, 9, W);
    let n = 0;
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
      const want = insideShape(s, x + 0.5 - 20, y + 0.5 - 20, 9);
      assert.equal(g[y * W + x] === 1, want, `${s} (${x}, ${y})`);
      if (want) { n++; assert.ok(x >= 11 && x < 29 && y >= 11 && y < 29, `${s} outside its square`); }
      if (s !== 'star') assert.equal(g[y * W + x], g[y * W + (39 - x)], `${s} not mirror-symmetric`);
    }
    assert.ok(n > 20, `${s}: ${n} pixels`);
  }
  assert.equal(coverage('square', 20, 20, 9, W).reduce((a, b) => a + b, 0), 18 * 18);
  const circle = coverage('circle', 20, 20, 9, W).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(circle - Math.PI * 81) < 12, `circle area ${circle}`);
  const keys = SHAPES.map((s) => Buffer.from(coverage(s, 20, 20, 9, W)).toString('base64'));
  assert.equal(new Set(keys).size, SHAPES.length, 'shapes must differ');
});

test('sampleScene: 1-4 objects, inside the canvas, each >= 60% visible', () => {
  const seen = new Set<number>();
  for (let s = 0; s < 60; s++) {
    const scene = sampleScene(new Rng(s), 64);
    seen.add(scene.objects.length);
    assert.equal(checkScene(scene, 0.6), null);
    const r = renderScene(scene);
    scene.objects.forEach((_, i) => assert.ok(r.visible[i] >= 0.6 * r.area[i]));
  }
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
});

test('determinism: same seed -> identical bytes, different seed -> different', async () => {
  const a = await collect(7, 10), b = await collect(7, 10), c = await collect(8, 10);
  assert.equal(a.length, 10);
  assert.deepEqual(a.map((r) => r.id), b.map((r) => r.id));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Buffer.from(a[i].image).equals(Buffer.from(b[i].image)));
    assert.ok(Buffer.from(a[i].mask!).equals(Buffer.from(b[i].mask!)));
    assert.deepEqual({ ...a[i], image: null, mask: null }, { ...b[i], image: null, mask: null });
  }
  assert.ok(a.some((r, i) => !Buffer.from(r.image).equals(Buffer.from(c[i].image))));
  assert.notDeepEqual(a.map((r) => r.captions), c.map((r) => r.captions));
});

test('records: exact ground truth, captions, concepts, edit twins that change only what they say', async () => {
  const items = await collect(3, 60);
  assert.equal(items.length, 60);
  const byId = new Map(items.map((r) => [r.id, r]));
  const kinds = new Set<string>();
  for (const r of items) {
    const { scene, img, mask } = await checkRecord(r);
    if (!r.edit) { assert.match(r.id, /^scene\/shapes\/\d+$/); assert.equal(r.style, 'shapes'); continue; }
    const base = byId.get(r.edit.of)!;
    assert.ok(base, `${r.id}: base ${r.edit.of} precedes its twins`);
    assert.equal(r.id, `${r.edit.of}~${r.edit.kind}`);
    assert.ok(r.edit.instruction.length > 0 && (r.attributes.instructions as string[]).includes(r.edit.instruction));
    kinds.add(r.edit.kind);
    const src = sceneFromAttributes(base.attributes);
    const srcR = renderScene(src);
    const k = r.attributes.editIndex as number;
    const S = r.size, same = (p: number) => img[3 * p] === srcR.rgb[3 * p] && img[3 * p + 1] === srcR.rgb[3 * p + 1] && img[3 * p + 2] === srcR.rgb[3 * p + 2];
    const o = src.objects[k];
    switch (r.edit.kind) {
      case 'recolour': {
        const t = scene.objects[k];
        assert.deepEqual({ ...t, colour: o.colour }, o);
        assert.notEqual(t.colour, o.colour);
        assert.ok(r.edit.instruction.includes(o.shape) && r.edit.instruction.endsWith(t.colour) || r.edit.instruction.includes(`to ${t.colour}`));
        assert.ok(Buffer.from(mask).equals(Buffer.from(srcR.mask)), 'recolour keeps the mask');
        for (let p = 0; p < S * S; p++) assert.equal(same(p), mask[p] !== k + 1, `recolour pixel ${p}`);
        break;
      }
      case 'remove': {
        assert.deepEqual(scene.objects, src.objects.filter((_, j) => j !== k));
        assert.ok(r.edit.instruction.includes(o.shape));
        for (let p = 0; p < S * S; p++) {
          if (srcR.mask[p] !== k + 1) assert.ok(same(p), `remove changed pixel ${p} outside the object`);
          else if (mask[p] === 0) assert.deepEqual([...img.subarray(3 * p, 3 * p + 3)], [255, 255, 255]);
          else assert.ok(mask[p] <= k, 'only objects beneath the removed one show through');
        }
        break;
      }
      case 'add': {
        assert.deepEqual(scene.objects.slice(0, -1), src.objects);
        assert.equal(k, src.objects.length);
        const t = scene.objects[k];
        assert.ok(r.edit.instruction.includes(`${t.sizeClass} ${t.colour} ${t.shape}`));
        for (let p = 0; p < S * S; p++) {
          if (mask[p] !== k + 1) assert.ok(same(p) && mask[p] === srcR.mask[p], `add changed pixel ${p}`);
          else assert.deepEqual([...img.subarray(3 * p, 3 * p + 3)], [...COLOURS[t.colour as ColourName]]);
        }
        break;
      }
      case 'move': case 'resize': {
        const t = scene.objects[k];
        scene.objects.forEach((x, j) => { if (j !== k) assert.deepEqual(x, src.objects[j]); });
        if (r.edit.kind === 'move') {
          assert.equal(t.sizeClass, o.sizeClass);
          const dir = t.cx < o.cx ? 'left' : t.cx > o.cx ? 'right' : t.cy < o.cy ? 'up' : 'down';
          assert.ok((t.cx === o.cx) !== (t.cy === o.cy), 'moves along one axis');
          assert.ok(r.edit.instruction.includes(dir), `${r.edit.instruction} vs ${dir}`);
        } else {
          assert.deepEqual([t.cx, t.cy, t.shape, t.colour], [o.cx, o.cy, o.shape, o.colour]);
          const bigger = radiusOf(t.sizeClass, S) > radiusOf(o.sizeClass, S);
          assert.match(r.edit.instruction, bigger ? /bigger|larger|enlarge|increase/ : /smaller|shrink|reduce/);
        }
        const before = coverage(o.shape, o.cx, o.cy, radiusOf(o.sizeClass, S), S);
        const after = coverage(t.shape, t.cx, t.cy, radiusOf(t.sizeClass, S), S);
        for (let p = 0; p < S * S; p++) if (!before[p] && !after[p]) assert.ok(same(p), `${r.edit.kind} changed pixel ${p}`);
        break;
      }
      default: assert.fail(`unknown edit kind ${r.edit.kind}`);
    }
  }
  assert.ok(kinds.size >= 4, `edit kinds seen: ${[...kinds]}`);
  assert.ok(items.filter((r) => r.edit === null).length >= 20);
});

test('applyEdit covers every kind; each target keeps the scene rules', () => {
  const counts = new Map<string, number>();
  for (let s = 0; s < 40; s++) {
    const scene = sampleScene(new Rng(100 + s), 64, { minObjects: 2, maxObjects: 3 });
    for (const kind of ['recolour', 'move', 'add', 'remove', 'resize'] as const) {
      const e = applyEdit(scene, kind, new Rng(s));
      if (!e) continue;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      assert.equal(checkScene(e.target), null, `${kind}: ${e.instruction}`);
      assert.ok(e.instructions.includes(e.instruction));
    }
  }
  for (const kind of ['recolour', 'move', 'add', 'remove', 'resize']) assert.ok((counts.get(kind) ?? 0) >= 20, `${kind}: ${counts.get(kind)}`);
});

test('sticker backgrounds, limits and scene counts', async () => {
  const src = makeSceneSource({ stickers: (_rng, size) => sticker(size), stickerProb: 1, scenes: 3 });
  const items = await collect(5, 6, src);
  assert.equal(items.length, 6);
  for (const r of items) {
    assert.equal(r.style, 'shapes-on-sticker');
    assert.match(r.id, /^scene\/shapes-on-sticker\/\d+(~\w+)?$/);
    assert.equal(r.attributes.background, 'test pattern');
    assert.ok(r.captions.some((c) => c.includes('test pattern')));
    await checkRecord(r, sticker(SIZE));
  }
  const all: DataRecord['id'][] = [];
  for await (const it of src.items({ seed: 5, size: 32 })) all.push(it.id);
  assert.equal(all.filter((id) => !id.includes('~')).length, 3, 'no limit: cfg.scenes base scenes');
  assert.ok(all.length >= 6 && all.length <= 9);
});

test('rendering speed', async () => {
  const scenes: Scene[] = Array.from({ length: 200 }, (_, s) => sampleScene(new Rng(s), 256));
  let t = performance.now();
  for (const sc of scenes) renderScene(sc);
  const renderRate = scenes.length / ((performance.now() - t) / 1000);
  t = performance.now();
  const n = (await collect(1, 40, sceneSource, 256)).length;
  const itemRate = n / ((performance.now() - t) / 1000);
  console.log(`# scene speed @256px: renderScene ${renderRate.toFixed(0)} scenes/s; full records (sample+render+2 PNGs) ${itemRate.toFixed(0)} items/s`);
  assert.ok(renderRate > 10);
});
