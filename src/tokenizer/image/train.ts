/**
 * tokenizer/image/train.ts — training the VQ image tokenizer on a dataset: AdamW with warmup +
 * cosine, clipping, dead-code restarts (unused codes re-seeded from current latents), periodic
 * evaluation (PSNR/SSIM/codebook usage on held-out images), JSONL log, atomic checkpoints and resume.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../io/checkpoint.js';
import { plotJsonl } from '../../io/plot.js';
import { AdamW } from '../../optim/adamw.js';
import { clipGradNorm } from '../../optim/clip.js';
import { learningRate } from '../../optim/schedule.js';
import { backward, noGrad, Rng, tidy } from '../../tensor/index.js';
import type { ImageTokenizerConfig } from './config.js';
import { psnr, ssim } from './metrics.js';
import { ImageTokenizerModel } from './model.js';
import { fromTensor, toTensor } from './pixels.js';

export interface TrainOptions {
  config: ImageTokenizerConfig;
  train: Uint8Array[];
  eval: Uint8Array[];
  out: string;
  steps: number;
  batch: number;
  lr: number;
  evalEvery: number;
  restartEvery: number;
  resume?: boolean;
  onLog?: (row: Record<string, number>) => void;
}

export interface EvalResult {
  psnr: number;
  ssim: number;
  /** Distinct codes used on the eval images / codebook size. */
  usage: number;
  /** exp(entropy) of the eval images' code histogram: the effective number of codes. */
  perplexity: number;
}

/** Reconstruct eval images through the codebook and measure quality and codebook use. */
export function evaluate(model: ImageTokenizerModel, images: readonly Uint8Array[], batch = 64): EvalResult & { recons: Uint8Array[] } {
  const c = model.config, counts = new Float64Array(c.codebookSize), recons: Uint8Array[] = [];
  let p = 0, s = 0;
  noGrad(() => {
    for (let i = 0; i < images.length; i += batch) {
      tidy(() => {
        const chunk = images.slice(i, i + batch);
        const out = model.forward(toTensor(chunk, c.imageSize));
        for (const id of out.indices.toArray()) counts[id]++;
        fromTensor(out.recon).forEach((r, k) => { recons.push(r); p += Math.min(psnr(chunk[k], r), 100); s += ssim(chunk[k], r, c.imageSize); });
      });
    }
  });
  const total = counts.reduce((a, b) => a + b, 0);
  let entropy = 0, used = 0;
  for (const n of counts) if (n > 0) { used++; entropy -= (n / total) * Math.log(n / total); }
  return { psnr: p / images.length, ssim: s / images.length, usage: used / c.codebookSize, perplexity: Math.exp(entropy), recons };
}

export function trainImageTokenizer(o: TrainOptions): ImageTokenizerModel {
  const model = new ImageTokenizerModel(o.config);
  const opt = new AdamW(model.namedParameters(), { lr: o.lr, betas: [0.9, 0.99], weightDecay: 0.01, decay: (n, p) => p.ndim >= 2 && !n.endsWith('pos') });
  mkdirSync(o.out, { recursive: true });
  const ckpt = join(o.out, 'tokenizer.safetensors'), log = join(o.out, 'train_log.jsonl');
  let start = 0;
  if (o.resume && existsSync(ckpt)) start = loadCheckpoint(ckpt, model, opt).step ?? 0;
  const rng = new Rng(o.config.seed + start);
  const K = o.config.codebookSize, usage = new Int32Array(K);
  for (let step = start; step < o.steps; step++) {
    const batch = Array.from({ length: o.batch }, () => o.train[rng.int(o.train.length)]);
    const stats = tidy(() => {
      const out = model.forward(toTensor(batch, o.config.imageSize));
      backward(out.loss);
      for (const id of out.indices.toArray()) usage[id]++;
      return { loss: out.loss.item(), recon: out.reconLoss.item() };
    });
    if (!Number.isFinite(stats.loss)) throw new Error(`image tokenizer: loss is ${stats.loss} at step ${step}; checkpoint kept at step ${start}`);
    clipGradNorm(model.parameters(), 1.0);
    opt.step(learningRate(step, { peak: o.lr, warmup: Math.min(500, o.steps >> 3), total: o.steps, min: o.lr / 20 }));
    opt.zeroGrad();
    if ((step + 1) % o.restartEvery === 0) restartDeadCodes(model, opt, usage, batch, rng);
    const row: Record<string, number> = { step: step + 1, loss: stats.loss, recon: stats.recon };
    if ((step + 1) % o.evalEvery === 0 || step + 1 === o.steps) {
      const e = evaluate(model, o.eval);
      Object.assign(row, { eval_psnr: e.psnr, eval_ssim: e.ssim, eval_usage: e.usage, eval_perplexity: e.perplexity });
      saveCheckpoint(ckpt, model, { optimizer: opt, config: o.config, step: step + 1 });
    }
    appendFileSync(log, `${JSON.stringify(row)}\n`);
    if (row.eval_psnr !== undefined) writeLossPlot(log, join(o.out, 'loss.svg'));
    o.onLog?.(row);
  }
  return model;
}

/** Codes unused since the last restart get a current latent (plus noise) and fresh Adam moments. */
function restartDeadCodes(model: ImageTokenizerModel, opt: AdamW, usage: Int32Array, batch: Uint8Array[], rng: Rng): void {
  const dead: number[] = [];
  usage.forEach((u, k) => { if (u === 0) dead.push(k); });
  usage.fill(0);
  if (dead.length === 0) return;
  const D = model.config.codeDim;
  const z = noGrad(() => tidy(() => model.encode(toTensor(batch, model.config.imageSize)).flat().slice()));
  const rows = z.length / D, cb = model.codebook.host, st = opt.stateTensors();
  const m = st.get('codebook.m')!.host, v = st.get('codebook.v')!.host;
  for (const k of dead) {
    const r = rng.int(rows);
    for (let j = 0; j < D; j++) { cb[k * D + j] = z[r * D + j] + 0.01 * rng.normal(); m[k * D + j] = 0; v[k * D + j] = 0; }
  }
}

/** loss.svg from the JSONL log (the whole history, across resumes): train losses and eval quality. */
export function writeLossPlot(logPath: string, svgPath: string): void {
  plotJsonl(logPath, svgPath, [
    { title: 'image tokenizer: train loss (EMA)', logY: true, keys: [{ key: 'loss', name: 'total', smooth: true }, { key: 'recon', name: 'reconstruction MSE', smooth: true }] },
    { title: 'held-out PSNR (dB)', keys: [{ key: 'eval_psnr', name: 'PSNR' }] },
    { title: 'held-out codebook usage', keys: [{ key: 'eval_usage', name: 'used fraction' }] },
  ]);
}
