/** The evaluation harness on a tiny random Generator (no bank): finite metrics, the table, sampling. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ablationGrid, evalCaptioning, evalTextToImage, samplePairs, t2iTable } from '../../src/eval/harness.js';
import { captionSheet, textToImageSheet } from '../../src/eval/samples.js';
import { decodePng } from '../../src/data/image.js';
import { Generator } from '../../src/generate/pipeline.js';
import { CM3Leon } from '../../src/model/cm3leon.js';
import { resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { RETRIEVER_PRESETS, RetrieverModel } from '../../src/retrieval/clip.js';
import { Retriever } from '../../src/retrieval/retriever.js';
import { Rng } from '../../src/tensor/index.js';
import { defaultTextTokenizerPath } from '../../src/tokenizer/defaults.js';
import { IMAGE_TOKENIZER_PRESETS } from '../../src/tokenizer/image/config.js';
import { ImageTokenizerModel } from '../../src/tokenizer/image/model.js';
import { ImageTokenizer } from '../../src/tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../../src/tokenizer/text/index.js';
import { Vocab } from '../../src/tokenizer/vocab.js';

test('text→image and captioning evaluations give finite metrics on a tiny model; the grid covers the ablations', async () => {
  const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
  const vq = new ImageTokenizer(new ImageTokenizerModel(IMAGE_TOKENIZER_PRESETS.tiny));
  const vocab = new Vocab({ textSize: 4096, imageCodes: 64, imageTokens: 16, maskSentinels: 16 });
  const lm = new CM3Leon(resolveCM3LeonConfig('tiny', [`vocab=${vocab.size}`, 'contextLength=96']));
  const rng = new Rng(1);
  for (const p of lm.parameters()) for (let i = 0; i < p.size; i++) p.host[i] = 0.05 * rng.normal();
  const retriever = new Retriever(new RetrieverModel({ ...RETRIEVER_PRESETS.tiny, textVocab: 4096 }), text, 'test');
  const gen = new Generator(lm, vocab.config, text, vq, retriever, null, 'tiny');
  const pairs = Array.from({ length: 6 }, (_, i) => ({
    caption: `shape ${i}`, captions: [`shape ${i}`, `a shape number ${i}`], concept: `emoji:shape ${i}`,
    rgb: Uint8Array.from({ length: 16 * 16 * 3 }, () => rng.int(256)),
  }));
  const row = await evalTextToImage(gen, pairs, 'test', { n: 2, cfg: 3, decoder: 'mix', retrieve: 0 });
  for (const k of ['kid', 'fid', 'clip', 'secondsPerImage'] as const) assert.ok(Number.isFinite(row[k]), `${k} = ${row[k]}`);
  // Another retriever's towers as the feature space: the same images, other scores.
  const other = new Retriever(new RetrieverModel({ ...RETRIEVER_PRESETS.tiny, textVocab: 4096, seed: 99 }), text, 'other');
  const again = await evalTextToImage(gen, pairs, 'test', { n: 2, cfg: 3, decoder: 'mix', retrieve: 0 }, 1, other);
  assert.ok(again.fid !== row.fid && again.clip !== row.clip, `${again.fid} ${again.clip}`);
  assert.match(t2iTable([row], 6), /\| test \| -?\d+\.\d\d ± \d+\.\d\d \| \d+\.\d{3} \| -?\d+\.\d \| \d+\.\d\d \|/);
  const c = await evalCaptioning(gen, pairs.slice(0, 3), { n: 1 });
  assert.equal(c.n, 3);
  assert.equal(c.captions.length, 3);
  assert.ok(c.conceptAccuracy >= 0 && c.conceptAccuracy <= 1 && Number.isFinite(c.bleu4) && Number.isFinite(c.ciderD));
  const names = ablationGrid().map((g) => g.name).join('\n');
  for (const want of [/retrieve 0/, /retrieve 2/, /CFG 6/, /CD-K, N 8/, /TopP, N 4/, /mix .*N 8/, /temperature/]) assert.match(names, want);
  // Sample sheets: one row per prompt (real + n samples), captions 8 per row.
  const sheet = await decodePng(await textToImageSheet(gen, pairs.slice(0, 2), { n: 2, cfg: 3, decoder: 'topp', retrieve: 0 }));
  const caps = await decodePng(await captionSheet(gen, pairs.slice(0, 3), c.captions));
  assert.ok(sheet.width > 2 * 128 && sheet.height > 2 * 128 && caps.width > 3 * 128, `${sheet.width}x${sheet.height}, ${caps.width}x${caps.height}`);
  assert.deepEqual(samplePairs([1, 2, 3, 4, 5], 3, 7), samplePairs([1, 2, 3, 4, 5], 3, 7));
  assert.equal(new Set(samplePairs([1, 2, 3, 4, 5], 5, 7)).size, 5);
});
