/**
 * The committed tokenizers of the default model (models/tokenizer/): the text BPE round-trips any
 * string and compresses captions; the VQ image tokenizer reconstructs held-out-style Twemoji
 * (rendered from the npm package, never seen in training) at its measured quality.
 */
import assert from 'node:assert/strict';
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

test('committed text tokenizer: 4096 ids, exact round trips, captions compress', () => {
  const t = TextTokenizer.fromJson(defaultTextTokenizerPath());
  assert.equal(t.vocabSize, 4096);
  for (const s of ['a red apple', 'a flat Twemoji of a keycap: 0', '🐱‍👤 naïve café 日本語 \u0000 \t\n', 'x'.repeat(300)]) assert.equal(t.decode(t.encode(s)), s);
  const cap = 'a smiling face with heart-eyes, in the Noto emoji style';
  assert.ok(t.encode(cap).length * 3 < Buffer.byteLength(cap), `${t.encode(cap).length} tokens for ${Buffer.byteLength(cap)} bytes`);
});

test('committed image tokenizer: 64 codes of 4096 per image, held-out Twemoji reconstruct at the measured quality', async () => {
  const tok = ImageTokenizer.load(defaultImageTokenizerPath());
  assert.deepEqual([tok.config.imageSize, tok.tokensPerImage, tok.config.codebookSize], [64, 64, 4096]);
  const entries = loadEmojiEntries().filter((e) => e.files.twitter);
  const images: Uint8Array[] = [];
  for (let i = 0; images.length < 32; i += Math.floor(entries.length / 40)) {
    const item = await renderEmoji(entries[i], 'twitter', { size: 64, seed: 0 });
    if (!('skipped' in item)) images.push((await decodePng(item.image)).data);
  }
  const codes = tok.encode(images);
  assert.ok(codes.every((c) => c.length === 64 && c.every((x) => Number.isInteger(x) && x >= 0 && x < 4096)));
  const recon = tok.decode(codes);
  const mean = recon.reduce((s, r, i) => s + Math.min(psnr(images[i], r), 100), 0) / images.length;
  assert.ok(mean >= MIN_SAMPLE_PSNR, `mean PSNR ${mean.toFixed(2)} dB on 32 held-out Twemoji (floor ${MIN_SAMPLE_PSNR} dB)`);
});
