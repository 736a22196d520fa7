/**
 * lm/train.ts — pretraining CM3Leon: packed retrieval-augmented CM3 rows, AdamW with warmup +
 * cosine decay, global-norm clipping, gradient accumulation, held-out loss per modality, JSONL log,
 * loss.svg, atomic checkpoints (weights + AdamW state + step + seed; the data position and every
 * random choice are functions of (seed, step), so `resume` replays the uninterrupted run exactly).
 * A NaN/Inf loss stops the run before the optimizer step; the last checkpoint stays the last good one.
 * On `device: 'webgpu'` everything stays on the GPU (tensor/device.ts).
 */
import { existsSync, mkdirSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpointAsync } from '../io/checkpoint.js';
import { plotJsonl } from '../io/plot.js';
import { startTrainLog } from '../io/train_log.js';
import { CM3Leon, type CM3LeonConfig } from '../model/cm3leon.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNormAndRead } from '../optim/clip.js';
import { learningRate } from '../optim/schedule.js';
import { runOn } from '../nn/device_run.js';
import { affine, backward, noGrad, tidy, tokenNll, type Tensor } from '../tensor/index.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { evalRows, rowTensors, trainingBatch, type LmDataConfig } from './batches.js';
import type { Corpus } from './corpus.js';

export interface LmTrainOptions {
  model: CM3LeonConfig;
  data: LmDataConfig;
  vocab: Vocab;
  corpus: Corpus;
  evalCorpus?: Corpus;
  out: string;
  steps: number;
  /** Rows per micro-batch and micro-batches per optimizer step. */
  batch: number;
  accumulate: number;
  lr: number;
  warmup: number;
  minLrRatio: number;
  weightDecay: number;
  clip: number;
  evalEvery: number;
  evalDocs: number;
  seed: number;
  resume?: boolean;
  /** Stop (as if killed) after this many steps of this call — for tests and time-boxed sessions. */
  stopAfter?: number;
  onLog?: (row: Record<string, number>) => void;
  /** Where the model and every step live: 'cpu' (default) or 'webgpu' (tensors resident on the GPU). */
  device?: 'cpu' | 'webgpu';
}

export class NonFiniteLossError extends Error {}

/**
 * Held-out loss of image-code targets and of text targets (weights as built, split by modality).
 * On a GPU the per-token losses are computed there and only they are read back.
 */
export async function evaluateLm(model: CM3Leon, rows: ReturnType<typeof evalRows>, vocab: Vocab, batch: number): Promise<{ text: number; image: number; all: number }> {
  const sums = { text: [0, 0], image: [0, 0], all: [0, 0] };
  const onGpu = model.parameters()[0].onDevice;
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const tg = chunk.flatMap((r) => Array.from(r.targets)), w = chunk.flatMap((r) => Array.from(r.weights));
    let losses: ArrayLike<number>;
    if (onGpu) {
      const nll = noGrad(() => tidy(() => { const t = rowTensors(chunk); return tokenNll(model.forward(t.ids), t.targets); }));
      losses = await nll.read();
      nll.dispose();
    } else {
      losses = noGrad(() => tidy(() => { const t = rowTensors(chunk); return model.tokenLosses(t.ids, t.targets); }));
    }
    for (let k = 0; k < losses.length; k++) {
      if (w[k] === 0 || tg[k] === -100 || Number.isNaN(losses[k])) continue;
      const key = vocab.isImage(tg[k]) ? 'image' : vocab.isText(tg[k]) ? 'text' : null;
      if (key) { sums[key][0] += losses[k]; sums[key][1]++; }
      sums.all[0] += losses[k]; sums.all[1]++;
    }
  }
  const avg = (s: number[]) => (s[1] ? s[0] / s[1] : Number.NaN);
  return { text: avg(sums.text), image: avg(sums.image), all: avg(sums.all) };
}

/**
 * Train (or resume) a CM3Leon. With `device: 'webgpu'` the model, optimizer state and every step
 * live on the GPU; the host waits for it once per step (loss and gradient norm) and at checkpoints.
 */
export async function trainLm(o: LmTrainOptions): Promise<CM3Leon> {
  if (o.model.vocab !== o.vocab.size) throw new RangeError(`model vocab ${o.model.vocab} != tokenizer vocabulary ${o.vocab.size}`);
  if (o.data.contextLength > o.model.contextLength) throw new RangeError(`data contextLength ${o.data.contextLength} > model contextLength ${o.model.contextLength}`);
  return runOn(o.device, () => trainOn(o));
}

async function trainOn(o: LmTrainOptions): Promise<CM3Leon> {
  const model = new CM3Leon(o.model);
  const opt = new AdamW(model.namedParameters(), { lr: o.lr, betas: [0.9, 0.98], weightDecay: o.weightDecay, decay: (n, p) => p.ndim >= 2 && n !== 'wpe.weight' });
  mkdirSync(o.out, { recursive: true });
  const ckpt = join(o.out, 'model.safetensors'), log = join(o.out, 'train_log.jsonl');
  let start = 0;
  if (o.resume && existsSync(ckpt)) {
    const c = loadCheckpoint(ckpt, model, opt);
    start = c.step ?? 0;
    if (Number(c.metadata.seed) !== o.seed) throw new RangeError(`${ckpt} was trained with seed ${c.metadata.seed}; resume with --seed ${c.metadata.seed}`);
  }
  startTrainLog(log, start);
  const rowsEval = o.evalCorpus ? evalRows(o.evalCorpus, o.corpus, o.vocab, o.data, o.evalDocs) : [];
  const save = (step: number) => saveCheckpointAsync(ckpt, model, {
    optimizer: opt, config: o.model, step, metadata: { seed: String(o.seed), data: JSON.stringify(o.data), vocab: JSON.stringify(o.vocab.config), ...o.corpus.meta },
  });
  const end = Math.min(o.steps, o.stopAfter !== undefined ? start + o.stopAfter : o.steps);
  for (let step = start; step < end; step++) {
    const t0 = performance.now();
    let lossSum = 0, tokens = 0;
    const losses: Tensor[] = [];
    for (let a = 0; a < o.accumulate; a++) {
      const rows = trainingBatch(o.corpus, o.vocab, o.data, o.seed, step * o.accumulate + a, o.batch);
      tokens += rows.length * o.data.contextLength;
      losses.push(tidy(() => {
        const t = rowTensors(rows);
        const l = model.loss(t.ids, t.targets, t.weights);
        backward(o.accumulate > 1 ? affine(l, 1 / o.accumulate) : l);
        return l;
      }));
    }
    // The one wait for the device per step: the losses and the gradient norm together.
    const { norm: gradNorm, reads } = await clipGradNormAndRead(model.parameters(), o.clip, losses);
    for (const l of losses) l.dispose();
    for (const [l] of reads) {
      if (!Number.isFinite(l)) {
        opt.zeroGrad();
        throw new NonFiniteLossError(`loss is ${l} at step ${step + 1}; stopped before the update. The last good checkpoint (step ${start}${start ? '' : ', none written'}) is ${ckpt}`);
      }
      lossSum += l / o.accumulate;
    }
    const lr = learningRate(step, { peak: o.lr, warmup: o.warmup, total: o.steps, min: o.lr * o.minLrRatio });
    opt.step(lr);
    opt.zeroGrad();
    const row: Record<string, number> = { step: step + 1, loss: lossSum, lr, grad_norm: gradNorm, tokens_per_s: tokens / ((performance.now() - t0) / 1000) };
    if ((step + 1) % o.evalEvery === 0 || step + 1 === end) {
      if (rowsEval.length) {
        const e = await evaluateLm(model, rowsEval, o.vocab, o.batch);
        Object.assign(row, { eval_loss: e.all, eval_text: e.text, eval_image: e.image });
      }
      await save(step + 1);
    }
    appendFileSync(log, `${JSON.stringify(row)}\n`);
    if (row.eval_loss !== undefined || step + 1 === end) {
      plotJsonl(log, join(o.out, 'loss.svg'), [
        { title: 'CM3Leon: train loss (EMA)', keys: [{ key: 'loss', name: 'train', smooth: true }] },
        { title: 'held-out loss by target modality', keys: [{ key: 'eval_text', name: 'text tokens' }, { key: 'eval_image', name: 'image tokens' }, { key: 'eval_loss', name: 'all' }] },
      ]);
    }
    o.onLog?.(row);
  }
  return model;
}
