/**
 * cli/demo.ts — the quick-start job: train a byte-level GPT on a text file with the engine
 * (AdamW, warmup + cosine, clipping), report loss and tokens/s, save an atomic safetensors
 * checkpoint and print a sample. Proves the whole stack end to end in about a minute.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getBackend } from '../backend/index.js';
import { saveCheckpoint } from '../io/checkpoint.js';
import { GPT, type GPTConfig } from '../model/gpt.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNorm } from '../optim/clip.js';
import { learningRate } from '../optim/schedule.js';
import { backward, noGrad, Rng, softmax, tensor, tidy } from '../tensor/index.js';
import { Progress } from './progress.js';

export interface DemoOpts {
  text: string;
  steps: number;
  batch: number;
  lr: number;
  out: string;
  model: GPTConfig;
  sample: number;
  seed: number;
}

export interface DemoResult { firstLoss: number; lastLoss: number; tokensPerSec: number; sample: string }

export function runDemo(o: DemoOpts): DemoResult {
  const bytes = readFileSync(o.text);
  const T = o.model.seq;
  if (bytes.length < T + 2) throw new Error(`demo: ${o.text} is too short (${bytes.length} bytes; need > ${T + 1})`);
  const model = new GPT({ ...o.model, vocab: 256 });
  const opt = new AdamW(model.namedParameters(), { lr: o.lr, betas: [0.9, 0.95], weightDecay: 0.1,
    decay: (_n, p) => p.ndim >= 2 });
  const rng = new Rng(o.seed);
  process.stderr.write(`demo: ${model.numParameters().toLocaleString()} parameters, backend ${getBackend().name}, ` +
    `${bytes.length.toLocaleString()} bytes of ${o.text}\n`);
  const bar = new Progress(o.steps, 'train');
  const t0 = Date.now();
  let first = NaN, last = NaN, smooth = NaN;
  for (let step = 0; step < o.steps; step++) {
    const ids = new Int32Array(o.batch * T), tgt = new Int32Array(o.batch * T);
    for (let b = 0; b < o.batch; b++) {
      const s = rng.int(bytes.length - T - 1);
      for (let t = 0; t < T; t++) { ids[b * T + t] = bytes[s + t]; tgt[b * T + t] = bytes[s + t + 1]; }
    }
    const loss = tidy(() => {
      const l = model.loss(tensor(ids, [o.batch, T], 'i32'), tensor(tgt, [o.batch, T], 'i32'));
      backward(l);
      return l.item();
    });
    if (!Number.isFinite(loss)) {
      throw new Error(`demo: loss is ${loss} at step ${step} (lr ${o.lr}); no checkpoint written. HINT: lower --lr`);
    }
    clipGradNorm(model.parameters(), 1.0);
    opt.step(learningRate(step, { peak: o.lr, warmup: Math.min(50, o.steps >> 2), total: o.steps, min: o.lr / 10 }));
    opt.zeroGrad();
    if (step === 0) first = loss;
    last = loss;
    smooth = Number.isNaN(smooth) ? loss : 0.9 * smooth + 0.1 * loss;
    const tps = ((step + 1) * o.batch * T) / ((Date.now() - t0) / 1000);
    bar.update(step + 1, `loss ${smooth.toFixed(3)} | ${Math.round(tps)} tok/s`);
  }
  bar.done();
  const tokensPerSec = (o.steps * o.batch * T) / ((Date.now() - t0) / 1000);
  mkdirSync(dirname(o.out), { recursive: true });
  saveCheckpoint(o.out, model, { config: model.config, step: o.steps, optimizer: opt });
  const sample = generate(model, bytes.subarray(0, 16), o.sample, rng);
  return { firstLoss: first, lastLoss: last, tokensPerSec, sample };
}

/** Temperature-0.8 sampling by re-running the window (no KV cache needed at this size). */
function generate(model: GPT, prompt: Uint8Array, n: number, rng: Rng): string {
  const out = Array.from(prompt);
  model.eval();
  noGrad(() => {
    for (let i = 0; i < n; i++) {
      const ctx = out.slice(-model.config.seq);
      const next = tidy(() => {
        const logits = model.forward(tensor(ctx, [1, ctx.length], 'i32'));
        const V = logits.shape[2];
        const lastRow = Array.from(logits.flat().subarray((ctx.length - 1) * V, ctx.length * V)).map((x) => x / 0.8);
        const p = softmax(tensor(lastRow, [V])).flat();
        return rng.multinomial(p, 1)[0];
      });
      out.push(next);
    }
  });
  return Buffer.from(out).toString('utf8');
}
