/**
 * The committed tokenizers of the default model (models/tokenizer/): the text BPE round-trips any
 * string and compresses captions; the VQ image tokenizers (vq64, the default, and vq256)
 * reconstruct held-out-style Twemoji (rendered from the npm package, never seen in training) at
 * their measured quality.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { loadEmojiEntries, renderEmoji } from '../../src/data/sources/emoji.js';
import { decodePng } from '../../src/data/image.js';
import { defaultImageTokenizerPath, defaultTextTokenizerPath } from '../../src/tokenizer/defaults.js';
import { psnr } from '../../src/tokenizer/image/metrics.js';
import { ImageTokenizer } from '../../src/tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../../src/tokenizer/text/index.js';

/** Held-out PSNR of the committed vq64 on the full held-out set is in docs/tokenizer.md; this
 *  32-image sample must stay within 1 dB below the value measured when it was committed. */
const MIN_SAMPLE_PSNR = 20.8; // measured 21.81 dB at commit (vq64, 10k steps)
const MIN_SAMPLE_PSNR_VQ256 = 26.2; // measured 27.21 dB at commit (vq256, 8k steps)

test('committed text tokenizer: 4096 ids, exact round trips, captions compress', () => {
  const t = TextTokenizer.fromJson(defaultTextTokenizerPath());
  assert.equal(t.vocabSize, 4096);
  for (const s of ['a red apple', 'a flat Twemoji of a keycap: 0', '🐱‍👤 naïve café 日本語 \u0000 \t\n', 'x'.repeat(300)]) assert.equal(t.decode(t.encode(s)), s);
  const cap = 'a smiling face with heart-eyes, in the Noto emoji style';
  assert.ok(t.encode(cap).length * 3 < Buffer.byteLength(cap), `${t.encode(cap).length} tokens for ${Buffer.byteLength(cap)} bytes`);
});

/** 32 held-out Twemoji (the held-out style), rendered from the npm package at 64 px. */
async function heldOutSample(): Promise<Uint8Array[]> {
  const entries = loadEmojiEntries().filter((e) => e.files.twitter);
  const images: Uint8Array[] = [];
  for (let i = 0; images.length < 32; i += Math.floor(entries.length / 40)) {
    const item = await renderEmoji(entries[i], 'twitter', { size: 64, seed: 0 });
    if (!('skipped' in item)) images.push((await decodePng(item.image)).data);
  }
  return images;
}

/** Codes per image in range, and the sample's mean PSNR at least `floor`. */
async function checkImageTokenizer(path: string, tokens: number, floor: number): Promise<void> {
  const tok = ImageTokenizer.load(path);
  assert.deepEqual([tok.config.imageSize, tok.tokensPerImage, tok.config.codebookSize], [64, tokens, 4096]);
  const images = await heldOutSample();
  const codes = tok.encode(images);
  assert.ok(codes.every((c) => c.length === tokens && c.every((x) => Number.isInteger(x) && x >= 0 && x < 4096)));
  const recon = tok.decode(codes);
  const mean = recon.reduce((s, r, i) => s + Math.min(psnr(images[i], r), 100), 0) / images.length;
  assert.ok(mean >= floor, `${path}: mean PSNR ${mean.toFixed(2)} dB on 32 held-out Twemoji (floor ${floor} dB)`);
}

test('committed image tokenizer: 64 codes of 4096 per image, held-out Twemoji reconstruct at the measured quality', async () => {
  await checkImageTokenizer(defaultImageTokenizerPath(), 64, MIN_SAMPLE_PSNR);
});

test('committed 256-token image tokenizer (vq256): 256 codes per image, at its measured quality', async () => {
  await checkImageTokenizer(join(dirname(defaultImageTokenizerPath()), 'vq256.safetensors'), 256, MIN_SAMPLE_PSNR_VQ256);
});
