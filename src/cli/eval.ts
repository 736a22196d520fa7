/**
 * cli/eval.ts — `cm3leon eval`: the ablation table for text→image (KID, FID, CLIP score) on
 * held-out-concept captions and captioning scores on the held-out style, written as markdown.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../io/atomic.js';
import { ablationGrid, evalCaptioning, evalTextToImage, samplePairs, t2iTable, type EvalPair, type T2IRow } from '../eval/harness.js';
import { captionSheet, textToImageSheet } from '../eval/samples.js';
import { Generator, type Precision } from '../generate/pipeline.js';
import { MemoryBank } from '../retrieval/bank.js';
import { bankMayExist } from '../retrieval/bank_writer.js';
import { loadPairs, RETRIEVER_SPLITS } from '../retrieval/data.js';
import { defaultRetrieverPath } from '../retrieval/defaults.js';
import { Retriever } from '../retrieval/retriever.js';
import { defaultBankPath, defaultImageTokenizerPath, defaultLmPath, defaultTextTokenizerPath } from '../tokenizer/defaults.js';
import { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../tokenizer/text/index.js';

export const EVAL_HELP = `cm3leon eval — evaluate the model (issue #7)

Usage:
  npx cm3leon eval --data DIR [--prompts 64] [--captions 128] [--quick] [-o docs/results.md]
        [--model FILE] [--bank BANK] [--retriever FILE] [--features FILE] [--samples docs/results/samples] [--precision f32|f16]

text→image: one image per held-out-concept caption (best of N by CLIP re-ranking), scored with
KID (preferred at these sample sizes), FID and CLIP score on the retriever's image features,
for each setting of the ablation grid (retrieved docs 0/1/2, CFG 1-6, decoders with N = 1/4/8);
--quick runs only the default setting. Captioning: held-out-style images, exact-concept accuracy,
BLEU-4 and CIDEr-D against the dataset's captions. --samples PREFIX also writes
PREFIX_text_to_image.png (12 held-out prompts: the real image, then 4 samples of the default
setting) and PREFIX_captions.png (16 held-out-style images with their generated captions).
--retriever FILE retrieves (and re-ranks) with another retriever; its bank must be one it built.
--features FILE scores KID, FID and the CLIP score with another retriever's towers (default: the
retriever in use), so runs with different retrievers can be compared on one feature space.
With --device webgpu the LM decodes on the GPU; --precision f16 stores its Linear weights as f16.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon eval: ${msg}\n`);
  process.exit(2);
}

const toEval = (p: { captions: string[]; concept: string; image: Uint8Array }): EvalPair => ({ caption: p.captions[0], captions: p.captions, concept: p.concept, rgb: p.image });

export async function runEval(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, data: { type: 'string' }, prompts: { type: 'string' }, captions: { type: 'string' },
      quick: { type: 'boolean' }, o: { type: 'string', short: 'o' }, model: { type: 'string' }, precision: { type: 'string' }, bank: { type: 'string' },
      retriever: { type: 'string' }, tokenizer: { type: 'string' }, samples: { type: 'string' }, features: { type: 'string' },
    } });
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${EVAL_HELP}`);
  }
  const v = parsed.values;
  if (v.help) { process.stdout.write(`${EVAL_HELP}\n`); return; }
  if (!v.data) fail('needs --data DIR (a dataset from `cm3leon data build`)');
  const count = (x: string | undefined, d: number, name: string) => {
    const n = x === undefined ? d : Number(x);
    if (!Number.isInteger(n) || n < 2) fail(`--${name} must be a whole number >= 2`);
    return n;
  };
  const nPrompts = count(v.prompts, 64, 'prompts'), nCaptions = count(v.captions, 128, 'captions');
  const bankPath = v.bank ?? defaultBankPath();
  let gen: Generator;
  try {
    const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
    const modelPath = v.model ?? defaultLmPath();
    const { lm, vocab } = await Generator.loadLmResident(modelPath, (v.precision ?? 'f32') as Precision);
    const bank = bankMayExist(bankPath) ? await MemoryBank.open(bankPath) : null;
    gen = new Generator(lm, vocab, text, ImageTokenizer.load(v.tokenizer ?? defaultImageTokenizerPath()), Retriever.load(v.retriever ?? defaultRetrieverPath(), text), bank, basename(modelPath));
  } catch (e) {
    return fail(`cannot load the model: ${(e as Error).message}`);
  }
  let features = gen.retriever;
  if (v.features) {
    try {
      features = Retriever.load(v.features, gen.text);
    } catch (e) {
      return fail(`cannot load the feature retriever ${v.features}: ${(e as Error).message}`);
    }
  }
  const size = gen.image.config.imageSize;
  const t2i = samplePairs(await loadPairs(v.data, RETRIEVER_SPLITS.heldoutConcept, size), nPrompts, 1).map(toEval);
  const caps = samplePairs(await loadPairs(v.data, RETRIEVER_SPLITS.heldoutStyle, size), nCaptions, 2).map(toEval);
  if (t2i.length < 2 || caps.length < 2) fail(`${v.data}: needs held-out-concept emoji and held-out-style images at ${size}px`);
  const grid = v.quick ? [{ name: 'default (mix, N 4, CFG 3, retrieve 2)', settings: { n: 4, cfg: 3, decoder: 'mix' as const, retrieve: 2 } }] : ablationGrid();
  const rows: T2IRow[] = [];
  for (const [i, g] of grid.entries()) {
    const noBank = !gen.bank && (g.settings.retrieve ?? 0) > 0;
    if (noBank && g.name.startsWith('retrieve ')) continue; // retrieve 1/2 rows mean nothing without a bank
    const settings = noBank ? { ...g.settings, retrieve: 0 } : g.settings;
    process.stderr.write(`[${i + 1}/${grid.length}] ${g.name} ...\n`);
    rows.push(await evalTextToImage(gen, t2i, g.name, settings, 1, features));
  }
  process.stderr.write('captioning ...\n');
  const c = await evalCaptioning(gen, caps);
  const md = [
    `# Results (${new Date().toISOString().slice(0, 10)}, model ${gen.modelId}${gen.bank ? '' : ', no memory bank: retrieval off'})`, '',
    t2iTable(rows, t2i.length), '',
    `captioning on ${c.n} held-out-style (Twemoji) images, TopP 0.9, 1 sample, no retrieval:`, '',
    '| exact-concept accuracy | BLEU-4 | CIDEr-D |', '|---|---|---|',
    `| ${(100 * c.conceptAccuracy).toFixed(1)}% | ${(100 * c.bleu4).toFixed(1)} | ${c.ciderD.toFixed(3)} |`, '',
    'examples:', '', ...c.examples.map((e) => `- ${e.concept}: "${e.caption}"`), '',
  ].join('\n');
  process.stdout.write(md);
  if (v.o) writeFileAtomic(v.o, Buffer.from(md, 'utf8'));
  if (v.samples) {
    // Sample sheets: 12 held-out prompts with the default setting, 16 captions.
    process.stderr.write('sample sheets ...\n');
    const def = { n: 4, cfg: 3, decoder: 'mix' as const, retrieve: gen.bank ? 2 : 0 };
    writeFileAtomic(`${v.samples}_text_to_image.png`, await textToImageSheet(gen, t2i.slice(0, 12), def));
    writeFileAtomic(`${v.samples}_captions.png`, await captionSheet(gen, caps.slice(0, 16), c.captions));
    process.stderr.write(`wrote ${v.samples}_text_to_image.png and ${v.samples}_captions.png\n`);
  }
  gen.bank?.close();
}
