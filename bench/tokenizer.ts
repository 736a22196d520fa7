/**
 * bench/tokenizer.ts — `npm run bench -- tokenizer`: image tokenizer encode/decode images/s on
 * this machine (batch 1 and 64) with the committed vq64 model, next to PyTorch eager CPU running
 * the same architecture (dev/bench_vq_torch.py, 2 threads, OMP_WAIT_POLICY=PASSIVE) in the same
 * run; and text tokenizer encode throughput on captions.
 */
import { existsSync } from 'node:fs';
import { IMAGE_TOKENIZER_PRESETS } from '../src/tokenizer/image/config.js';
import { defaultImageTokenizerPath, defaultTextTokenizerPath } from '../src/tokenizer/defaults.js';
import { ImageTokenizerModel } from '../src/tokenizer/image/model.js';
import { ImageTokenizer } from '../src/tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../src/tokenizer/text/index.js';
import { Rng } from '../src/tensor/index.js';
import { bestTime, machine, runJsonPeer, table } from './util.js';

function imagesPerSecond(tok: ImageTokenizer, batch: number, images: Uint8Array[]): { encode: number; decode: number } {
  const t = new ImageTokenizer(tok.model, batch), codes = t.encode(images);
  return {
    encode: images.length / bestTime(() => t.encode(images), 3),
    decode: images.length / bestTime(() => t.decode(codes), 3),
  };
}

export async function runTokenizerBench(args: string[] = []): Promise<void> {
  console.log(`# tokenizer benchmark\n\nmachine: ${machine()}\n`);
  // --model FILE: another trained tokenizer (e.g. models/tokenizer/vq256.safetensors); the peer gets its shapes.
  const i = args.indexOf('--model'), path = i >= 0 && args[i + 1] ? args[i + 1] : defaultImageTokenizerPath();
  const tok = existsSync(path) ? ImageTokenizer.load(path) : new ImageTokenizer(new ImageTokenizerModel(IMAGE_TOKENIZER_PRESETS.vq64));
  console.log(`image tokenizer: ${existsSync(path) ? path : 'vq64 preset, random weights (no committed model)'}; `
    + `${tok.tokensPerImage} codes/image, codebook ${tok.config.codebookSize}\n`);
  const rng = new Rng(0), S = tok.config.imageSize;
  const images = Array.from({ length: 256 }, () => Uint8Array.from({ length: S * S * 3 }, () => rng.int(256)));
  const torch = existsSync('/usr/bin/python3')
    ? runJsonPeer('/usr/bin/python3', ['dev/bench_vq_torch.py', '--threads', '2', '--batches', '1,64', '--patch', String(tok.config.patch),
      '--k', String(tok.config.codebookSize), '--d', String(tok.config.dModel), '--up', String(tok.config.upLayers)], { OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' })
    : 'skipped: /usr/bin/python3 missing';
  const rows: (string | number)[][] = [['op', 'batch', 'cm3leon images/s', 'PyTorch eager images/s', 'ratio']];
  for (const b of [1, 64]) {
    const ours = imagesPerSecond(tok, b, images.slice(0, b === 1 ? 32 : 256));
    for (const op of ['encode', 'decode'] as const) {
      const pt = typeof torch === 'string' ? NaN : Number(torch[`${op}_b${b}`]);
      rows.push([op, b, ours[op].toFixed(0), Number.isNaN(pt) ? String(torch) : pt.toFixed(0), Number.isNaN(pt) ? '' : `${(ours[op] / pt).toFixed(2)}x`]);
    }
  }
  console.log(table(rows));
  const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
  const caps = Array.from({ length: 2000 }, (_, i) => `a ${['red', 'small', 'smiling', 'blue'][i % 4]} emoji of a ${['cat', 'house', 'flag of France', 'rocket'][i % 7 % 4]} number ${i}`);
  const sec = bestTime(() => { for (const c of caps) text.encode(c); }, 3);
  console.log(`\ntext tokenizer (vocab ${text.vocabSize}): encode ${(caps.length / sec).toFixed(0)} captions/s`);
}
