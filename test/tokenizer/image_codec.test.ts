/**
 * The image tokenizer as a codec: config parsing from checkpoint metadata (legacy files, unknown
 * keys), ImageTokenizer encode/decode on a trained tiny model, and the CLI's encode/decode with
 * clear errors for corrupt images and bad codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/config.js';
import { decodePng, encodePng } from '../../src/data/image.js';
import { IMAGE_TOKENIZER_PRESETS, parseImageTokenizerConfig } from '../../src/tokenizer/image/config.js';
import { psnr } from '../../src/tokenizer/image/metrics.js';
import { ImageTokenizer } from '../../src/tokenizer/image/tokenizer.js';
import { trainImageTokenizer } from '../../src/tokenizer/image/train.js';
import { Rng } from '../../src/tensor/index.js';

const tiny = IMAGE_TOKENIZER_PRESETS.tiny;
const dir = mkdtempSync(join(tmpdir(), 'cm3leon-vqcodec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [main, 'tokenizer', ...args], { encoding: 'utf8', timeout: 120_000 });

function images(n: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const img = new Uint8Array(16 * 16 * 3).fill(255);
    const [x0, y0, w, h] = [rng.int(8), rng.int(8), 4 + rng.int(8), 4 + rng.int(8)];
    const col = [rng.int(256), rng.int(256), rng.int(256)];
    for (let y = y0; y < Math.min(16, y0 + h); y++) for (let x = x0; x < Math.min(16, x0 + w); x++) img.set(col, (y * 16 + x) * 3);
    return img;
  });
}

// One small trained model shared by the tests below (~2 s).
const model = join(dir, 'tiny');
await trainImageTokenizer({ config: tiny, train: images(128, 1), eval: images(16, 2), out: model, steps: 150, batch: 16, lr: 3e-3, evalEvery: 150, restartEvery: 25 });
const ckpt = join(model, 'tokenizer.safetensors');

test('checkpoint configs: legacy files load without an upsampler, unknown or missing keys are rejected', () => {
  const { upLayers: _u, upDModel: _d, upMlpHidden: _m, ...legacy } = IMAGE_TOKENIZER_PRESETS.vq64;
  assert.equal(parseImageTokenizerConfig(JSON.stringify(legacy), 'f').upLayers, 0);
  assert.deepEqual(parseImageTokenizerConfig(JSON.stringify(tiny), 'f'), tiny);
  assert.throws(() => parseImageTokenizerConfig(JSON.stringify({ ...tiny, depth: 3 }), 'f'), (e: Error) => e instanceof ConfigError && /unknown image tokenizer key "depth"/.test(e.message));
  const { patch: _p, ...noPatch } = tiny;
  assert.throws(() => parseImageTokenizerConfig(JSON.stringify(noPatch), 'f'), /lacks patch/);
  assert.throws(() => parseImageTokenizerConfig(undefined, 'f'), /no image tokenizer config/);
  assert.throws(() => parseImageTokenizerConfig('{', 'f'), /not JSON/);
});

test('ImageTokenizer: encode gives grid codes, decode reconstructs, batching does not change results', () => {
  const tok = ImageTokenizer.load(ckpt), imgs = images(8, 3);
  const codes = tok.encode(imgs);
  assert.equal(codes.length, 8);
  assert.ok(codes.every((c) => c.length === 16 && c.every((i) => Number.isInteger(i) && i >= 0 && i < tiny.codebookSize)));
  const recon = tok.decode(codes);
  const mean = recon.reduce((s, r, i) => s + psnr(imgs[i], r), 0) / recon.length;
  assert.ok(mean > 14, `tiny model reconstructs roughly (PSNR ${mean.toFixed(1)})`);
  const small = new ImageTokenizer(tok.model, 3);
  assert.deepEqual(small.encode(imgs), codes);
  assert.deepEqual(small.decode(codes), recon);
  assert.deepEqual(tok.encode(tok.decode(codes)).length, 8);
  assert.throws(() => tok.decode([[1, 2]]), /needs 16 codes/);
});

test('CLI encode -> decode round trip through files; corrupt images and bad codes give clear errors', async () => {
  const png = join(dir, 'a.png'), toks = join(dir, 'a.json'), out = join(dir, 'a_out.png');
  writeFileSync(png, await encodePng({ data: images(1, 4)[0], width: 16, height: 16 }));
  let r = cli('encode', png, '-o', toks, '--model', ckpt);
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(toks, 'utf8'));
  assert.equal(file.format, 'cm3leon-image-tokens');
  assert.equal(file.images[0].codes.length, 16);
  r = cli('decode', toks, '-o', out, '--model', ckpt);
  assert.equal(r.status, 0, r.stderr);
  const img = await decodePng(readFileSync(out));
  assert.deepEqual([img.width, img.height], [16, 16]);
  assert.deepEqual(Array.from(img.data), Array.from(ImageTokenizer.load(ckpt).decode([file.images[0].codes])[0]));

  const bad = join(dir, 'bad.png');
  writeFileSync(bad, 'not an image at all');
  r = cli('encode', bad, '--model', ckpt);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.png: cannot read as an image/);
  writeFileSync(toks, JSON.stringify({ codes: new Array(16).fill(9999) }));
  r = cli('decode', toks, '-o', out, '--model', ckpt);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /code 9999 outside \[0, 64\)/);
  writeFileSync(toks, JSON.stringify([1, 2, 3]));
  assert.match(cli('decode', toks, '-o', out, '--model', ckpt).stderr, /needs 16 codes, got 3/);
  writeFileSync(toks, '{"nope": 1}');
  assert.match(cli('decode', toks, '-o', out, '--model', ckpt).stderr, /expected a tokens file/);
  assert.match(cli('encode', png, '--model', join(dir, 'missing.safetensors')).stderr, /cannot load image tokenizer/);
});

test('training writes a loss plot', () => {
  const svg = readFileSync(join(model, 'loss.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /held-out PSNR/);
  assert.ok((svg.match(/<path/g) ?? []).length >= 2);
});
