/**
 * cli/generate.ts — `cm3leon generate|caption|infill|infill-text`: the user-facing tasks on the
 * default (committed) model, offline. Images are written as PNG plus a 4x upscaled copy for
 * viewing, each with a JSON sidecar (prompt, settings, seed, model id, retrieved documents).
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeToRgb, encodePng } from '../data/image.js';
import { writeFileAtomic } from '../io/atomic.js';
import { Generator, SAMPLE_DEFAULTS, type ImageSample, type Precision, type Provenance } from '../generate/pipeline.js';
import type { DecoderChoice } from '../generate/generate.js';
import { MemoryBank } from '../retrieval/bank.js';
import { bankMayExist } from '../retrieval/bank_writer.js';
import { defaultRetrieverPath } from '../retrieval/defaults.js';
import { Retriever } from '../retrieval/retriever.js';
import { defaultImageTokenizerPath, defaultLmPath, defaultTextTokenizerPath, defaultBankPath } from '../tokenizer/defaults.js';
import { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import { TextTokenizer } from '../tokenizer/text/index.js';

export const GENERATE_HELP = `cm3leon generate | caption | infill | infill-text — use the model

Usage:
  npx cm3leon generate "a red apple" [-n 4] [--cfg 3] [--decoder topp|cdk|mix|temperature|greedy]
        [--retrieve 0|1|2] [--seed 1] [--top-p 0.9] [--temperature 1] [-o out/]
        N images, CLIP re-ranked (best first): out/<slug>-<rank>.png, a 4x copy, and a .json sidecar.
  npx cm3leon caption IMG.png [-n 4] [--retrieve 2] [--seed 1] [-q "what is it?"]
        Captions, or with -q/--question a short VQA-style answer (the question precedes the
        masked span of the CM3 captioning prompt; at most 8 tokens).
  npx cm3leon infill IMG.png --box x,y,w,h ["caption"] [-n 4] [-o out/]
        Regenerate the codes under the pixel box (in the tokenizer's 64x64 frame).
  npx cm3leon infill-text "text before" "text after" [-n 4]

Models (defaults: the committed ones): --model models/lm/cm3leon-small.safetensors,
--bank data/bank (the memory bank from \`cm3leon bank build\`; without one, retrieval is off).
--device webgpu keeps the LM and its KV cache on the GPU; there --precision f16 stores its Linear
weights as f16 (half the memory and weight reads per step; sums stay f32; default f32).
Defaults: -n ${SAMPLE_DEFAULTS.n}, --cfg ${SAMPLE_DEFAULTS.cfg}, --decoder ${SAMPLE_DEFAULTS.decoder} (half TopP, half CD-K), --retrieve ${SAMPLE_DEFAULTS.retrieve}, --seed ${SAMPLE_DEFAULTS.seed}.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon: ${msg}\n`);
  process.exit(2);
}

const DECODERS: readonly DecoderChoice[] = ['topp', 'cdk', 'mix', 'temperature', 'greedy'];

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'image';
}

async function writeImages(out: string, stem: string, samples: ImageSample[], size: number, sidecar: Record<string, unknown>): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const [rank, s] of samples.entries()) {
    const base = join(out, `${stem}-${rank + 1}`);
    const png = await encodePng({ data: s.rgb, width: size, height: size });
    writeFileAtomic(`${base}.png`, png);
    writeFileAtomic(`${base}.x4.png`, new Uint8Array(await sharp(Buffer.from(png)).resize(size * 4, size * 4, { kernel: 'nearest' }).png().toBuffer()));
    const meta = { ...sidecar, rank: rank + 1, sample: s.sample, seed: s.seed, decoder: s.decoder, clipScore: Number.isNaN(s.clipScore) ? null : s.clipScore, codes: s.codes };
    writeFileAtomic(`${base}.json`, Buffer.from(`${JSON.stringify(meta, null, 1)}\n`, 'utf8'));
    files.push(`${base}.png`);
  }
  return files;
}

function showRetrieved(r: Provenance[]): void {
  for (const d of r) process.stderr.write(`  retrieved ${d.score.toFixed(3)} ${d.id}: ${d.caption}\n`);
}

export async function runGenerate(cmd: string, argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, n: { type: 'string', short: 'n' }, cfg: { type: 'string' }, decoder: { type: 'string' },
      retrieve: { type: 'string' }, seed: { type: 'string' }, 'top-p': { type: 'string' }, temperature: { type: 'string' }, o: { type: 'string', short: 'o' },
      box: { type: 'string' }, model: { type: 'string' }, precision: { type: 'string' }, bank: { type: 'string' }, retriever: { type: 'string' }, tokenizer: { type: 'string' },
      question: { type: 'string', short: 'q' },
    } });
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${GENERATE_HELP}`);
  }
  const { values: v, positionals: p } = parsed;
  if (v.help || p.length === 0) { process.stdout.write(`${GENERATE_HELP}\n`); if (!v.help) process.exitCode = 2; return; }
  const num = (x: string | undefined, name: string, d: number, int = false) => {
    const n = x === undefined ? d : Number(x);
    if (x !== undefined && (x.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)))) fail(`--${name} must be ${int ? 'a whole number' : 'a number'}, got "${x}"`);
    return n;
  };
  const decoder = (v.decoder ?? SAMPLE_DEFAULTS.decoder) as DecoderChoice;
  if (!DECODERS.includes(decoder)) fail(`--decoder must be one of ${DECODERS.join(', ')}, got "${v.decoder}"`);
  const bankPath = v.bank ?? defaultBankPath();
  const haveBank = bankMayExist(bankPath);
  let retrieve = num(v.retrieve, 'retrieve', SAMPLE_DEFAULTS.retrieve, true);
  if (!haveBank && retrieve > 0) {
    if (v.retrieve !== undefined) fail(`--retrieve ${retrieve} needs a memory bank; ${bankPath} does not exist (build it with \`cm3leon bank build --data DIR --out ${bankPath}\`)`);
    process.stderr.write(`no memory bank at ${bankPath}: generating without retrieval (build one with \`cm3leon bank build\`)\n`);
    retrieve = 0;
  }
  const settings = { n: num(v.n, 'n', SAMPLE_DEFAULTS.n, true), cfg: num(v.cfg, 'cfg', SAMPLE_DEFAULTS.cfg), decoder, retrieve, seed: num(v.seed, 'seed', SAMPLE_DEFAULTS.seed, true),
    topP: num(v['top-p'], 'top-p', SAMPLE_DEFAULTS.topP), temperature: num(v.temperature, 'temperature', SAMPLE_DEFAULTS.temperature) };
  const modelPath = v.model ?? defaultLmPath();
  let gen: Generator;
  try {
    const text = TextTokenizer.fromJson(defaultTextTokenizerPath());
    const { lm, vocab } = await Generator.loadLmResident(modelPath, (v.precision ?? 'f32') as Precision);
    const bank = retrieve > 0 ? await MemoryBank.open(bankPath) : null;
    gen = new Generator(lm, vocab, text, ImageTokenizer.load(v.tokenizer ?? defaultImageTokenizerPath()), Retriever.load(v.retriever ?? defaultRetrieverPath(), text), bank, basename(modelPath));
  } catch (e) {
    return fail(`cannot load the model: ${(e as Error).message}`);
  }
  const size = gen.image.config.imageSize, out = v.o ?? 'out';
  const readImage = async (f: string | undefined) => {
    if (!f) fail(`${cmd} needs an image file`);
    try { return (await decodeToRgb(f, size)).data; } catch (e) { return fail(`${f}: cannot read as an image (${(e as Error).message})`); }
  };
  try {
    if (cmd === 'generate') {
      const prompt = p.join(' ');
      const t0 = performance.now();
      const r = await gen.textToImage(prompt, { ...settings, onRow: (e) => process.stderr.write(`\rsample ${e.sample + 1}/${settings.n}: row ${e.row + 1}/${Math.sqrt(gen.vocab.imageTokens)}   `) });
      process.stderr.write('\n');
      showRetrieved(r.retrieved);
      const files = await writeImages(out, slug(prompt), r.samples, size, { task: 'text-to-image', prompt, settings: r.settings, model: gen.modelId, retrieved: r.retrieved });
      process.stdout.write(`${files.map((f, i) => `${f}  (CLIP ${r.samples[i].clipScore.toFixed(3)})`).join('\n')}\n`);
      process.stderr.write(`${r.samples.length} image(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    } else if (cmd === 'caption') {
      const r = await gen.caption(await readImage(p[0]), { ...settings, ...(v.question ? { question: v.question } : {}) });
      showRetrieved(r.retrieved);
      for (const c of r.captions) process.stdout.write(`${c.score.toFixed(3)}  ${c.text}\n`);
    } else if (cmd === 'infill') {
      const box = (v.box ?? '').split(',').map(Number);
      if (box.length !== 4 || box.some((x) => !Number.isInteger(x) || x < 0) || box[2] < 1 || box[3] < 1 || box[0] + box[2] > size || box[1] + box[3] > size) {
        fail(`--box must be x,y,w,h in whole pixels inside the ${size}x${size} frame, got "${v.box ?? ''}"`);
      }
      const caption = p.slice(1).join(' ') || undefined;
      const r = await gen.infillImage(await readImage(p[0]), { x: box[0], y: box[1], w: box[2], h: box[3] }, caption, settings);
      showRetrieved(r.retrieved);
      const files = await writeImages(out, `${slug(basename(p[0]))}-infill`, r.samples, size, { task: 'image-infill', source: p[0], box, caption: caption ?? null, settings, model: gen.modelId, retrieved: r.retrieved });
      process.stdout.write(`${files.join('\n')}\n`);
    } else {
      if (p.length !== 2) fail('infill-text needs "text before" and "text after"');
      const r = await gen.infillText(p[0], p[1], settings);
      showRetrieved(r.retrieved);
      for (const f of r.fills) process.stdout.write(`${p[0]}[${f.text}]${p[1]}\n`);
    }
  } catch (e) {
    if (e instanceof RangeError) fail(e.message);
    throw e;
  } finally {
    gen.bank?.close();
  }
}
