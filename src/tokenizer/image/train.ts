/**
 * tokenizer/image/train.ts — training the VQ image tokenizer on a dataset: AdamW with warmup +
 * cosine, clipping, dead-code restarts (unused codes re-seeded from current latents), periodic
 * evaluation (PSNR/SSIM/codebook usage on held-out images), JSONL log, atomic checkpoints and resume;
 * on the CPU or resident on a GPU (device 'webgpu').
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpointAsync } from '../../io/checkpoint.js';
import { plotJsonl } from '../../io/plot.js';
import { startTrainLog } from '../../io/train_log.js';
import { AdamW } from '../../optim/adamw.js';
import { clipGradNormAndRead } from '../../optim/clip.js';
import { learningRate } from '../../optim/schedule.js';
import { runOn } from '../../nn/device_run.js';
import { backward, copyStorage, noGrad, Rng, tidy } from '../../tensor/index.js';
import type { ImageTokenizerConfig } from './config.js';
import { psnr, ssim } from './metrics.js';
import { ImageTokenizerModel } from './model.js';
import { fromArray, toTensor } from './pixels.js';

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
  /** 'webgpu': the model, optimizer state and every step on the GPU (default: the CPU). */
  device?: 'cpu' | 'webgpu';
}

export interface EvalResult {
  psnr: number;
  ssim: number;
  /** Distinct codes used on the eval images / codebook size. */
  usage: number;
  /** exp(entropy) of the eval images' code histogram: the effective number of codes. */
  perplexity: number;
}

/**
 * Reconstruct eval images through the codebook and measure quality and codebook use (on the
 * model's device: a GPU model reconstructs there and only codes and pixels are read back).
 */
export async function evaluate(model: ImageTokenizerModel, images: readonly Uint8Array[], batch = 64): Promise<EvalResult & { recons: Uint8Array[] }> {
  const c = model.config, counts = new Float64Array(c.codebookSize), recons: Uint8Array[] = [];
  let p = 0, s = 0;
  for (let i = 0; i < images.length; i += batch) {
    const chunk = images.slice(i, i + batch);
    const out = noGrad(() => tidy(() => { const o = model.forward(toTensor(chunk, c.imageSize)); return { indices: o.indices, recon: o.recon }; }));
    const [ids, rec] = [await out.indices.read(), await out.recon.read()];
    out.indices.dispose();
    out.recon.owner.dispose(); // recon is a view: free the buffer it views
    for (const id of ids) counts[id]++;
    fromArray(rec, chunk.length, c.imageSize).forEach((r, k) => { recons.push(r); p += Math.min(psnr(chunk[k], r), 100); s += ssim(chunk[k], r, c.imageSize); });
  }
  const total = counts.reduce((a, b) => a + b, 0);
  let entropy = 0, used = 0;
  for (const n of counts) if (n > 0) { used++; entropy -= (n / total) * Math.log(n / total); }
  return { psnr: p / images.length, ssim: s / images.length, usage: used / c.codebookSize, perplexity: Math.exp(entropy), recons };
}

/**
 * Train (or resume) the image tokenizer. With `device: 'webgpu'` the model, optimizer state and
 * every step live on the GPU; the host waits once per step (losses, code indices for the usage
 * counts and the gradient norm in one read), evaluates on the GPU and writes restarted codes back.
 */
export function trainImageTokenizer(o: TrainOptions): Promise<ImageTokenizerModel> {
  return runOn(o.device, () => trainOn(o));
}

async function trainOn(o: TrainOptions): Promise<ImageTokenizerModel> {
  const model = new ImageTokenizerModel(o.config);
  const opt = new AdamW(model.namedParameters(), { lr: o.lr, betas: [0.9, 0.99], weightDecay: 0.01, decay: (n, p) => p.ndim >= 2 && !n.endsWith('pos') });
  mkdirSync(o.out, { recursive: true });
  const ckpt = join(o.out, 'tokenizer.safetensors'), log = join(o.out, 'train_log.jsonl');
  let start = 0;
  if (o.resume && existsSync(ckpt)) start = loadCheckpoint(ckpt, model, opt).step ?? 0;
  startTrainLog(log, start);
  const rng = new Rng(o.config.seed + start);
  const K = o.config.codebookSize, usage = new Int32Array(K);
  for (let step = start; step < o.steps; step++) {
    const batch = Array.from({ length: o.batch }, () => o.train[rng.int(o.train.length)]);
    const out = tidy(() => {
      const r = model.forward(toTensor(batch, o.config.imageSize));
      backward(r.loss);
      return { loss: r.loss, recon: r.reconLoss, indices: r.indices };
    });
    const { reads: [[loss], [recon], indices] } = await clipGradNormAndRead(model.parameters(), 1.0, [out.loss, out.recon, out.indices]);
    for (const t of [out.loss, out.recon, out.indices]) t.dispose();
    for (const id of indices) usage[id]++;
    if (!Number.isFinite(loss)) throw new Error(`image tokenizer: loss is ${loss} at step ${step}; checkpoint kept at step ${start}`);
    opt.step(learningRate(step, { peak: o.lr, warmup: Math.min(500, o.steps >> 3), total: o.steps, min: o.lr / 20 }));
    opt.zeroGrad();
    if ((step + 1) % o.restartEvery === 0) await restartDeadCodes(model, opt, usage, batch, rng);
    const row: Record<string, number> = { step: step + 1, loss, recon };
    if ((step + 1) % o.evalEvery === 0 || step + 1 === o.steps) {
      const e = await evaluate(model, o.eval);
      Object.assign(row, { eval_psnr: e.psnr, eval_ssim: e.ssim, eval_usage: e.usage, eval_perplexity: e.perplexity });
      await saveCheckpointAsync(ckpt, model, { optimizer: opt, config: o.config, step: step + 1 });
    }
    appendFileSync(log, `${JSON.stringify(row)}\n`);
    if (row.eval_psnr !== undefined) writeLossPlot(log, join(o.out, 'loss.svg'));
    o.onLog?.(row);
  }
  return model;
}

/** Codes unused since the last restart get a current latent (plus noise) and fresh Adam moments. */
async function restartDeadCodes(model: ImageTokenizerModel, opt: AdamW, usage: Int32Array, batch: Uint8Array[], rng: Rng): Promise<void> {
  const dead: number[] = [];
  usage.forEach((u, k) => { if (u === 0) dead.push(k); });
  usage.fill(0);
  if (dead.length === 0) return;
  const D = model.config.codeDim;
  const zt = noGrad(() => tidy(() => model.encode(toTensor(batch, model.config.imageSize))));
  const z = await zt.read();
  zt.dispose();
  const rows = z.length / D, st = opt.stateTensors();
  const cb = model.codebook.data, m = st.get('codebook.m')!.data, v = st.get('codebook.v')!.data;
  const code = new Float32Array(D), zero = new Float32Array(D);
  for (const k of dead) {
    const r = rng.int(rows);
    for (let j = 0; j < D; j++) code[j] = z[r * D + j] + 0.01 * rng.normal();
    copyStorage(cb, code, k * D);
    copyStorage(m, zero, k * D);
    copyStorage(v, zero, k * D);
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
