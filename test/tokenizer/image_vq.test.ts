/**
 * The VQ image tokenizer on the tiny preset (16x16 images, 4x4 patches, 64 codes): patch views
 * round-trip, shapes and losses, learning on a small set, dead-code restarts, bad codes rejected,
 * metrics, and resumable training.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGE_TOKENIZER_PRESETS, tokensPerImage } from '../../src/tokenizer/image/config.js';
import { psnr, ssim } from '../../src/tokenizer/image/metrics.js';
import { ImageTokenizerModel } from '../../src/tokenizer/image/model.js';
import { patchify, unpatchify } from '../../src/tokenizer/image/patches.js';
import { fromTensor, toTensor } from '../../src/tokenizer/image/pixels.js';
import { trainImageTokenizer } from '../../src/tokenizer/image/train.js';
import { noGrad, randn, Rng, tidy } from '../../src/tensor/index.js';

const tiny = IMAGE_TOKENIZER_PRESETS.tiny;

/** Deterministic 16x16 test images: coloured rectangles on white. */
function images(n: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const img = new Uint8Array(16 * 16 * 3).fill(255);
    const [x0, y0] = [rng.int(8), rng.int(8)], [w, h] = [4 + rng.int(8), 4 + rng.int(8)];
    const col = [rng.int(256), rng.int(256), rng.int(256)];
    for (let y = y0; y < Math.min(16, y0 + h); y++) for (let x = x0; x < Math.min(16, x0 + w); x++) img.set(col, (y * 16 + x) * 3);
    return img;
  });
}

test('patchify and unpatchify are inverse views in raster order', () => {
  const x = randn([2, 16, 16, 3], { rng: new Rng(1) });
  const p = patchify(x, 4);
  assert.deepEqual(p.shape, [2, 16, 48]);
  assert.deepEqual(unpatchify(p, 4).toArray(), x.toArray());
  // patch (gy=0, gx=1) starts at pixel (0, 4)
  assert.deepEqual(p.toArray().slice(48, 51), x.toArray().slice(12, 15));
});

test('forward gives reconstructions, codes and finite losses; pixels round-trip', () => {
  const m = new ImageTokenizerModel(tiny);
  const imgs = images(4, 2);
  tidy(() => {
    const out = m.forward(toTensor(imgs, 16));
    assert.deepEqual(out.recon.shape, [4, 16, 16, 3]);
    assert.deepEqual(out.indices.shape, [4, tokensPerImage(tiny)]);
    assert.ok(out.indices.toArray().every((i) => i >= 0 && i < tiny.codebookSize));
    assert.ok(Number.isFinite(out.loss.item()) && out.loss.item() > 0);
  });
  assert.deepEqual(fromTensor(toTensor(imgs, 16)), imgs);
  assert.throws(() => m.decodeIndices([[1, 2, 3]]), /needs 16 codes/);
  assert.throws(() => m.decodeIndices([new Array(16).fill(64)]), /outside \[0, 64\)/);
  assert.deepEqual(noGrad(() => m.decodeIndices([new Array(16).fill(3)])).shape, [1, 16, 16, 3]);
});

test('PSNR and SSIM: identical images are perfect; noise lowers both', () => {
  const a = images(1, 3)[0], b = a.map((v, i) => (i % 7 === 0 ? 255 - v : v));
  assert.equal(psnr(a, a), Infinity);
  assert.ok(Math.abs(ssim(a, a, 16) - 1) < 1e-12);
  assert.ok(psnr(a, b) < 20 && ssim(a, b, 16) < 0.95);
});

test('training learns a small set, restarts dead codes, logs, and resumes from its checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-vq-'));
  try {
    const train = images(64, 4), evalSet = images(16, 5);
    const rows: Record<string, number>[] = [];
    const m = await trainImageTokenizer({ config: tiny, train, eval: evalSet, out: dir, steps: 80, batch: 16, lr: 3e-3, evalEvery: 40,
      restartEvery: 20, onLog: (r) => rows.push(r) });
    const first = rows.slice(0, 5).reduce((s, r) => s + r.recon, 0) / 5, last = rows.slice(-5).reduce((s, r) => s + r.recon, 0) / 5;
    assert.ok(last < 0.6 * first, `reconstruction loss ${first} -> ${last}`);
    const evals = rows.filter((r) => r.eval_psnr !== undefined);
    assert.equal(evals.length, 2);
    assert.ok(evals[1].eval_usage > 0.2, `codebook usage ${evals[1].eval_usage}`);
    assert.equal(readFileSync(join(dir, 'train_log.jsonl'), 'utf8').trim().split('\n').length, 80);
    const resumed: number[] = [];
    await trainImageTokenizer({ config: tiny, train, eval: evalSet, out: dir, steps: 90, batch: 16, lr: 3e-3, evalEvery: 45,
      restartEvery: 20, resume: true, onLog: (r) => resumed.push(r.step) });
    assert.deepEqual([resumed[0], resumed[resumed.length - 1]], [81, 90], 'resume continues after the saved step');
    assert.ok(m.parameters().length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
