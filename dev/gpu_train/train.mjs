// dev/gpu_train/train.mjs — train the image tokenizer or the retriever resident on WebGPU from a
// pack written by pack.mjs (no LanceDB needed), then export bf16 weights. Runs on a lent GPU
// machine through dev/gpu_train/run.sh, or here on llvmpipe for a smoke test:
//   node dev/gpu_train/train.mjs vq --pack .gpupack --out runs/gpu_vq256 --preset vq256 --steps 8000 --batch 32 [--set k=v]
//   node dev/gpu_train/train.mjs retriever --pack .gpupack --out runs/gpu_retr --steps 8000 --batch 128 [--set k=v]
// (--eval-limit N evaluates on the first N held-out images only: for smoke tests on llvmpipe.)
// Writes OUT/<model>.safetensors (+ optimizer state), OUT/train_log.jsonl, OUT/loss.svg and
// OUT/<model>_bf16.safetensors (weights only). Prints one line per eval.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePreset } from '../../dist/src/config/config.js';
import { exportWeights } from '../../dist/src/io/checkpoint.js';
import { RETRIEVER_PRESETS } from '../../dist/src/retrieval/clip.js';
import { trainRetriever } from '../../dist/src/retrieval/train.js';
import { IMAGE_TOKENIZER_PRESETS } from '../../dist/src/tokenizer/image/config.js';
import { trainImageTokenizer } from '../../dist/src/tokenizer/image/train.js';

const [what, ...rest] = process.argv.slice(2);
const { values: v } = parseArgs({ args: rest, options: {
  pack: { type: 'string' }, out: { type: 'string' }, preset: { type: 'string' }, set: { type: 'string', multiple: true },
  steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, 'eval-every': { type: 'string' }, device: { type: 'string' },
  resume: { type: 'boolean' }, 'eval-limit': { type: 'string' },
} });
if (!['vq', 'retriever'].includes(what) || !v.pack || !v.out) {
  console.error('usage: node dev/gpu_train/train.mjs vq|retriever --pack DIR --out DIR [--preset P] [--set k=v] [--steps N] [--batch B] [--lr X] [--eval-every N] [--device webgpu|cpu] [--resume]');
  process.exit(2);
}
const index = JSON.parse(execFileSync('xz', ['-dc', join(v.pack, `${what}.json.xz`)], { maxBuffer: 2 ** 30 }).toString('utf8'));
const evalLimit = v['eval-limit'] === undefined ? Infinity : Number(v['eval-limit']);
function images(part) {
  const p = index.parts[part], n = index.size * index.size * 3;
  const count = part === 'eval' ? Math.min(p.count, evalLimit) : p.count;
  const raw = execFileSync('xz', ['-dc', join(v.pack, p.file)], { maxBuffer: 2 ** 31 });
  if (raw.length !== p.count * n) throw new Error(`${p.file}: ${raw.length} bytes for ${p.count} images of ${n}`);
  return Array.from({ length: count }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * n, n));
}
const steps = Number(v.steps ?? 8000), batch = Number(v.batch ?? 32), evalEvery = Number(v['eval-every'] ?? 1000);
const device = v.device ?? 'webgpu', t0 = Date.now();
const onLog = (r) => {
  if (r.step % 100 === 0 || r.eval_psnr !== undefined || r.t2i_r10 !== undefined) {
    const extra = Object.entries(r).filter(([k]) => k !== 'step').map(([k, x]) => `${k} ${Number(x).toFixed(4)}`).join(' ');
    console.log(`step ${r.step} ${extra} | ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
};
let file;
if (what === 'vq') {
  const config = resolvePreset(IMAGE_TOKENIZER_PRESETS, v.preset ?? 'vq256', v.set ?? [], 'tokenizer');
  await trainImageTokenizer({ device, config, train: images('train'), eval: images('eval'), out: v.out, steps, batch,
    lr: Number(v.lr ?? 1e-3), evalEvery, restartEvery: 100, resume: v.resume, onLog });
  file = 'tokenizer';
} else {
  const config = resolvePreset(RETRIEVER_PRESETS, v.preset ?? 'small', v.set ?? [], 'retriever');
  // Captions were tokenized when packing (the GPU machine has no tokenizer package): a codec over them.
  const known = new Map([[' ', index.space]]);
  for (const part of ['train', 'eval']) index.parts[part].captions.forEach((cs, i) => cs.forEach((c, j) => known.set(c, index.parts[part].captionIds[i][j])));
  const text = { vocabSize: index.textVocab, encode: (s) => { const ids = known.get(s); if (!ids) throw new Error(`caption not in the pack: ${s}`); return ids; } };
  const pairs = (part) => images(part).map((image, i) => ({ id: index.parts[part].ids[i], concept: index.parts[part].concepts[i], captions: index.parts[part].captions[i], image }));
  await trainRetriever({ device, config, text, train: pairs('train'), eval: pairs('eval'), out: v.out, steps, batch, lr: Number(v.lr ?? 5e-4), evalEvery, resume: v.resume, onLog });
  file = 'retriever';
}
exportWeights(join(v.out, `${file}.safetensors`), join(v.out, `${file}_bf16.safetensors`), 'bf16');
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);
