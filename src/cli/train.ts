/**
 * cli/train.ts — `cm3leon train`: retrieval-augmented CM3 pretraining of CM3Leon on a dataset.
 * Prepares (once, cached in OUT) the tokenized corpus with retrieval candidates using the
 * committed text/image tokenizers and retriever, then trains with progress, JSONL log, loss.svg
 * and resumable checkpoints.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseOverrides } from '../config/config.js';
import { LM_DATA_DEFAULTS, type LmDataConfig } from '../lm/batches.js';
import { loadCorpus, MAX_CAPTION_TOKENS, prepareCorpus, saveCorpus, type Corpus } from '../lm/corpus.js';
import { residentDevice } from '../backend/index.js';
import { NonFiniteLossError, trainLm } from '../lm/train.js';
import { CM3LEON_PRESETS, resolveCM3LeonConfig } from '../model/cm3leon_presets.js';
import { loadPairs, RETRIEVER_SPLITS } from '../retrieval/data.js';
import { defaultRetrieverPath } from '../retrieval/defaults.js';
import { Retriever } from '../retrieval/retriever.js';
import { defaultImageTokenizerPath, defaultTextTokenizerPath } from '../tokenizer/defaults.js';
import { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../tokenizer/text/index.js';
import { Vocab } from '../tokenizer/vocab.js';
import { Progress } from './progress.js';

export const TRAIN_HELP = `cm3leon train — retrieval-augmented CM3 pretraining

Usage:
  npx cm3leon train --data DIR --out DIR [--config small] [--set key=value ...]
        [--steps 3000] [--batch 8] [--accumulate 1] [--lr 0.0006] [--warmup 200]
        [--eval-every 250] [--eval-docs 256] [--seed 1] [--resume] [--stop-after N] [--retriever FILE]

--config   model preset: ${Object.keys(CM3LEON_PRESETS).join(', ')} (vocab is set from the tokenizers)
--set      model keys (layers=4 or model.layers=4) or data keys (data.maskedFraction=0.3;
           data keys: ${Object.keys(LM_DATA_DEFAULTS).join(', ')})
--resume   continue from OUT/model.safetensors with the identical batches and loss sequence
--stop-after N  stop after N steps of this call (time-boxed runs; resume later)
--retriever FILE  the retriever that picks each document's retrieved neighbours (default: the
           committed models/retriever/retriever.safetensors)

The first run tokenizes the dataset's train split (memory bank = training set) and its held-out
concepts with the committed tokenizers (models/tokenizer/) and retriever (models/retriever/),
and caches them in OUT/corpus_*.safetensors. Writes OUT/model.safetensors (+ AdamW state),
OUT/train_log.jsonl and OUT/loss.svg. A NaN/Inf loss stops the run and keeps the last checkpoint.
--device webgpu (global option) keeps the model, optimizer state and every step on the GPU; the
data preparation stays on the CPU.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon train: ${msg}\n`);
  process.exit(2);
}

/** Split `--set` pairs into model overrides and data overrides (`data.` prefix, stripped). */
export function splitOverrides(pairs: readonly string[]): { model: string[]; data: string[] } {
  const model: string[] = [], data: string[] = [];
  for (const p of pairs) {
    if (p.startsWith('data.')) data.push(p.slice(5));
    else model.push(p.startsWith('model.') ? p.slice(6) : p);
  }
  return { model, data };
}

type Tools = { text: TextTokenizer; image: ImageTokenizer; retriever: Retriever };

/** OUT's cached corpus if the same retriever prepared it, else prepared now (tokenized, embedded, neighbours found). */
async function corpusFor(path: string, dataDir: string, where: string, build: () => Tools, retriever: () => Retriever, memory?: Corpus): Promise<Corpus> {
  if (existsSync(path)) {
    const cached = loadCorpus(path), want = retriever().id;
    if (cached.meta.retriever !== want) fail(`${path} was prepared with retriever ${cached.meta.retriever}, this run uses ${want}: pass the same --retriever, or delete the file to prepare it again`);
    return cached;
  }
  const tools = build();
  process.stderr.write(`preparing ${path} ...\n`);
  const src = await loadPairs(dataDir, where, tools.image.config.imageSize);
  if (src.length === 0) fail(`${dataDir}: no documents for ${where}`);
  const bar = new Progress(src.length, 'corpus', 4096);
  const corpus = prepareCorpus(src, {
    ...tools, maxCaptionTokens: MAX_CAPTION_TOKENS, m: 16, queryDropout: 0.2, seed: 1, memory,
    onProgress: (stage, done) => { if (stage === 'encode') bar.update(done, 'tokenizing + embedding'); },
  });
  bar.done();
  corpus.meta = { text_tokenizer: tools.text.vocabSize.toString(), image_tokenizer: `codes ${tools.image.config.codebookSize}`, retriever: tools.retriever.id };
  saveCorpus(path, corpus);
  return corpus;
}

export async function runTrain(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, data: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' },
      set: { type: 'string', multiple: true }, steps: { type: 'string' }, batch: { type: 'string' }, accumulate: { type: 'string' },
      lr: { type: 'string' }, warmup: { type: 'string' }, 'eval-every': { type: 'string' }, 'eval-docs': { type: 'string' },
      seed: { type: 'string' }, resume: { type: 'boolean' }, 'stop-after': { type: 'string' }, retriever: { type: 'string' },
    } });
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${TRAIN_HELP}`);
  }
  const v = parsed.values;
  if (v.help) { process.stdout.write(`${TRAIN_HELP}\n`); return; }
  if (!v.data || !v.out) fail('needs --data DIR (from `cm3leon data build`) and --out DIR');
  const int = (x: string | undefined, d: number, name: string, min = 1) => {
    const n = x === undefined ? d : Number(x);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number >= ${min}, got "${x}"`);
    return n;
  };
  const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
  let image: ImageTokenizer | undefined;
  const imageTok = () => (image ??= ImageTokenizer.load(defaultImageTokenizerPath()));
  const vocab = new Vocab({ textSize: text.vocabSize, imageCodes: 4096, imageTokens: 64, maskSentinels: 16 });
  let model, data: LmDataConfig;
  try {
    const o = splitOverrides(v.set ?? []);
    model = resolveCM3LeonConfig(v.config ?? 'small', [`vocab=${vocab.size}`, ...o.model]);
    data = parseOverrides({ ...LM_DATA_DEFAULTS, contextLength: Math.min(LM_DATA_DEFAULTS.contextLength, model.contextLength) }, o.data, 'data');
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RangeError) fail(e.message);
    throw e;
  }
  mkdirSync(v.out, { recursive: true });
  let retriever: Retriever | undefined;
  const loadRetriever = (): Retriever => {
    try {
      return (retriever ??= Retriever.load(v.retriever ?? defaultRetrieverPath(), text));
    } catch (e) {
      return fail(`cannot load the retriever: ${(e as Error).message}`);
    }
  };
  const tools = (): Tools => {
    const it = imageTok();
    if (it.config.codebookSize !== vocab.config.imageCodes || it.tokensPerImage !== vocab.imageTokens) fail('the image tokenizer does not match the vocabulary');
    return { text, image: it, retriever: loadRetriever() };
  };
  // --device webgpu: the model, every step and the evaluation on the GPU; data preparation on the CPU.
  const device = residentDevice();
  const corpus = await corpusFor(join(v.out, 'corpus_train.safetensors'), v.data, RETRIEVER_SPLITS.train, tools, loadRetriever);
  const evalCorpus = await corpusFor(join(v.out, 'corpus_eval.safetensors'), v.data, "split = 'heldout-concept'", tools, loadRetriever, corpus);
  const steps = int(v.steps, 3000, 'steps');
  const bar = new Progress(steps, 'train', 10);
  let last = '';
  try {
    await trainLm({
      device, model, data, vocab, corpus, evalCorpus, out: v.out, steps, batch: int(v.batch, 8, 'batch'), accumulate: int(v.accumulate, 1, 'accumulate'),
      lr: v.lr === undefined ? 6e-4 : Number(v.lr), warmup: int(v.warmup, 200, 'warmup', 0), minLrRatio: 0.1, weightDecay: 0.1, clip: 1,
      evalEvery: int(v['eval-every'], 250, 'eval-every'), evalDocs: int(v['eval-docs'], 256, 'eval-docs'), seed: int(v.seed, 1, 'seed', 0),
      resume: v.resume, stopAfter: v['stop-after'] === undefined ? undefined : int(v['stop-after'], 1, 'stop-after'),
      onLog: (r) => {
        if (r.eval_loss !== undefined) last = ` | held-out text ${r.eval_text.toFixed(3)} image ${r.eval_image.toFixed(3)}`;
        bar.step(r.step, `loss ${r.loss.toFixed(3)} ${(r.tokens_per_s / 1000).toFixed(1)}k tok/s lr ${r.lr.toExponential(1)}${last}`);
      },
    });
  } catch (e) {
    if (e instanceof NonFiniteLossError) fail(e.message);
    throw e;
  }
  bar.done();
  process.stdout.write(`saved ${join(v.out, 'model.safetensors')}${last}\n`);
}
