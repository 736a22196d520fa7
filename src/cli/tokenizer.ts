/**
 * cli/tokenizer.ts — `cm3leon tokenizer train-image`: train the VQ image tokenizer on a dataset
 * built by `cm3leon data build`, with progress, a JSONL loss log, evaluation on held-out images
 * and resumable checkpoints.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { residentDevice } from '../backend/index.js';
import { encodePng } from '../data/image.js';
import { sample } from '../data/captions.js';
import { Rng } from '../tensor/random.js';
import { imageGrid, type GridCell } from '../data/sheet.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { readSafetensors } from '../io/safetensors.js';
import { psnr } from '../tokenizer/image/metrics.js';
import { ImageTokenizerModel } from '../tokenizer/image/model.js';
import { loadPairs } from '../retrieval/data.js';
import { ConfigError, resolvePreset } from '../config/config.js';
import { IMAGE_TOKENIZER_PRESETS, parseImageTokenizerConfig, type ImageTokenizerConfig } from '../tokenizer/image/config.js';
import { evaluate, trainImageTokenizer } from '../tokenizer/image/train.js';
import { Progress } from './progress.js';
import { defaultImageTokenizerPath } from '../tokenizer/defaults.js';
import { CliError, decodeTokens, encodeImages, trainText } from './tokenizer_codec.js';

export const TOKENIZER_HELP = `cm3leon tokenizer — train and use the text and image tokenizers

Usage:
  npx cm3leon tokenizer encode IMG.png [IMG2.png ...] [-o tokens.json] [--model FILE]
        Image(s) -> codes (any format sharp reads; fitted onto white at the tokenizer's size).
        Prints the tokens file unless -o is given.
  npx cm3leon tokenizer decode tokens.json -o IMG.png [--model FILE]
        Codes -> PNG (several images: IMG-0.png, IMG-1.png, ...). Accepts a tokens file,
        {"codes": [...]} or a bare array of codes.
  npx cm3leon tokenizer train-image --data DIR --out DIR [--preset vq64|vq256] [--set key=value]
        [--steps 20000] [--batch 64] [--lr 0.001] [--eval-every 1000] [--limit N] [--resume]
        Trains on the dataset's train split (scenes excluded) and evaluates PSNR, SSIM, codebook
        usage and perplexity on the held-out emoji style. Writes DIR/tokenizer.safetensors
        (+ optimizer state, resumable with --resume), DIR/train_log.jsonl and DIR/loss.svg.
  npx cm3leon tokenizer recon --data DIR [--model FILE] [--n 32] -o sheet.png
        Side-by-side held-out originals and reconstructions, with PSNR per pair.
  npx cm3leon tokenizer eval --data DIR [--model FILE]
        PSNR, SSIM, codebook usage and perplexity over all held-out-style images.
  npx cm3leon tokenizer train-text --data DIR [--out FILE] [--vocab 4096]
        Byte-level BPE on the train split's captions (default out: models/tokenizer/text.json).

--model defaults to the committed models/tokenizer/vq64.safetensors.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon tokenizer: ${msg}\n`);
  process.exit(2);
}

async function loadImages(dir: string, where: string, size: number, limit?: number): Promise<Uint8Array[]> {
  return (await loadPairs(dir, where, size, limit)).map((p) => p.image);
}

export async function runTokenizer(argv: string[]): Promise<void> {
  const { values: v, positionals } = (() => {
    try {
      return parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
        help: { type: 'boolean', short: 'h' }, data: { type: 'string' }, out: { type: 'string' }, preset: { type: 'string' },
        set: { type: 'string', multiple: true }, steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
        'eval-every': { type: 'string' }, limit: { type: 'string' }, resume: { type: 'boolean' },
        model: { type: 'string' }, n: { type: 'string' }, o: { type: 'string', short: 'o' }, vocab: { type: 'string' },
      } });
    } catch (e) {
      return fail(`${(e as Error).message}\n\n${TOKENIZER_HELP}`);
    }
  })();
  if (v.help || !positionals[0]) { process.stdout.write(`${TOKENIZER_HELP}\n`); return; }
  try {
    if (positionals[0] === 'encode') return await encodeImages(positionals.slice(1), v.model, v.o);
    if (positionals[0] === 'decode') return await decodeTokens(positionals[1], v.model, v.o);
    if (positionals[0] === 'train-text') {
      const vocab = v.vocab === undefined ? undefined : Number(v.vocab);
      if (vocab !== undefined && !Number.isInteger(vocab)) fail('--vocab must be a whole number');
      return await trainText(v.data, v.out, vocab);
    }
  } catch (e) {
    if (e instanceof CliError || e instanceof RangeError) fail(e.message);
    throw e;
  }
  if (positionals[0] === 'recon') return recon(v.data, v.model ?? defaultImageTokenizerPath(), Number(v.n ?? 32), v.o);
  if (positionals[0] === 'eval') return evalTokenizer(v.data, v.model ?? defaultImageTokenizerPath());
  if (positionals[0] !== 'train-image') fail(`unknown tokenizer command "${positionals[0]}"`);
  if (!v.data || !v.out) fail('train-image needs --data DIR and --out DIR');
  let config: ImageTokenizerConfig;
  try {
    config = resolvePreset(IMAGE_TOKENIZER_PRESETS, v.preset ?? 'vq64', v.set ?? [], 'tokenizer');
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const num = (x: string | undefined, d: number) => (x === undefined ? d : Number(x));
  const steps = num(v.steps, 20000), batch = num(v.batch, 64), lr = num(v.lr, 1e-3), evalEvery = num(v['eval-every'], 1000);
  for (const [k, x] of Object.entries({ steps, batch, evalEvery })) if (!Number.isInteger(x) || x < 1) fail(`--${k} must be a whole number >= 1`);
  if (!(lr > 0)) fail('--lr must be > 0');
  const limit = v.limit === undefined ? undefined : num(v.limit, 0);
  process.stderr.write('loading images...\n');
  const train = await loadImages(v.data, "split = 'train' AND source != 'scene'", config.imageSize, limit);
  const evalSet = await loadImages(v.data, "split = 'heldout-style'", config.imageSize);
  if (train.length === 0 || evalSet.length === 0) fail(`${v.data}: needs train images and held-out-style images at ${config.imageSize}px`);
  process.stderr.write(`training on ${train.length} images, evaluating on ${evalSet.length} held-out images\n`);
  const bar = new Progress(steps, 'train-image', 50);
  let last = '';
  // --device webgpu: the model, every step and the evaluation on the GPU; data preparation on the CPU.
  const device = residentDevice();
  await trainImageTokenizer({
    device, config, train, eval: evalSet, out: v.out, steps, batch, lr, evalEvery, restartEvery: 100, resume: v.resume,
    onLog: (r) => {
      if (r.eval_psnr !== undefined) last = ` | eval PSNR ${r.eval_psnr.toFixed(2)} dB, SSIM ${r.eval_ssim.toFixed(3)}, usage ${(100 * r.eval_usage).toFixed(0)}% (perplexity ${r.eval_perplexity.toFixed(0)})`;
      bar.step(r.step, `loss ${r.loss.toFixed(4)} recon ${r.recon.toFixed(4)}${last}`);
    },
  });
  bar.done();
  process.stdout.write(`saved ${v.out}/tokenizer.safetensors${last}\n`);
}

/** A trained image tokenizer from its checkpoint or exported weights. */
function loadModel(path: string): ImageTokenizerModel {
  const m = new ImageTokenizerModel(parseImageTokenizerConfig(readSafetensors(path).metadata.config, path));
  loadCheckpoint(path, m);
  return m;
}

/** PSNR, SSIM, codebook usage and perplexity over the whole held-out style (what training logs). */
async function evalTokenizer(data: string | undefined, model: string): Promise<void> {
  if (!data) fail('eval needs --data DIR');
  const m = loadModel(model), c = m.config;
  const images = await loadImages(data, "split = 'heldout-style'", c.imageSize);
  if (images.length === 0) fail(`${data}: no held-out-style images at ${c.imageSize}px`);
  process.stderr.write(`evaluating ${model} (${(c.imageSize / c.patch) ** 2} tokens per image, ${c.codebookSize} codes) on ${images.length} held-out images...\n`);
  const e = await evaluate(m, images);
  process.stdout.write(`held-out PSNR ${e.psnr.toFixed(2)} dB, SSIM ${e.ssim.toFixed(3)}, codebook usage ${(100 * e.usage).toFixed(1)}% ` +
    `(perplexity ${e.perplexity.toFixed(0)}) over ${images.length} images\n`);
}

/** Side-by-side original / reconstruction sheet of held-out images, with PSNR per pair. */
async function recon(data: string | undefined, model: string | undefined, n: number, out: string | undefined): Promise<void> {
  if (!data || !model || !out) fail('recon needs --data DIR --model FILE -o sheet.png');
  const m = loadModel(model), config = m.config;
  const images = sample(new Rng(0), await loadImages(data, "split = 'heldout-style'", config.imageSize), n);
  const e = await evaluate(m, images);
  const cells: GridCell[] = [];
  for (let i = 0; i < images.length; i++) {
    for (const [img, label] of [[images[i], 'original'], [e.recons[i], `${psnr(images[i], e.recons[i]).toFixed(1)} dB`]] as const) {
      cells.push({ image: await encodePng({ data: img, width: config.imageSize, height: config.imageSize }), head: label, text: '' });
    }
  }
  writeFileSync(out, imageGrid(cells, { cols: 8, lines: 0 }));
  process.stdout.write(`held-out PSNR ${e.psnr.toFixed(2)} dB, SSIM ${e.ssim.toFixed(3)}, codebook usage ${(100 * e.usage).toFixed(0)}% -> ${out}\n`);
}
