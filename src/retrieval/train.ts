/**
 * retrieval/train.ts — training the retriever with symmetric InfoNCE: batches of (caption, image)
 * pairs with distinct concepts (a repeated concept would be a false negative), AdamW with warmup +
 * cosine, clipping, the CLIP logit-scale cap, periodic recall@k on held-out pairs, JSONL log,
 * loss.svg, atomic checkpoints and resume; on the CPU or resident on a GPU (device 'webgpu').
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpointAsync } from '../io/checkpoint.js';
import { plotJsonl } from '../io/plot.js';
import { startTrainLog } from '../io/train_log.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNormAndRead } from '../optim/clip.js';
import { learningRate } from '../optim/schedule.js';
import { runOn } from '../nn/device_run.js';
import { backward, Rng, tidy } from '../tensor/index.js';
import { toTensor } from '../tokenizer/image/pixels.js';
import type { TextTokenizer } from '../tokenizer/text/index.js';
import { RetrieverModel, type RetrieverConfig } from './clip.js';
import { recallAtK, type RecallReport } from './metrics.js';
import { Retriever, textBatch } from './retriever.js';

/** One image with all its captions; `concept` groups images that show the same thing. */
export interface Pair { id: string; concept: string; captions: string[]; image: Uint8Array }

export interface RetrieverTrainOptions {
  config: RetrieverConfig;
  text: TextTokenizer;
  train: Pair[];
  eval: Pair[];
  out: string;
  steps: number;
  batch: number;
  lr: number;
  evalEvery: number;
  /** Images per concept in a batch (default 1); above 1 the loss is the multi-positive InfoNCE. */
  siblings?: number;
  resume?: boolean;
  onLog?: (row: Record<string, number>) => void;
  /** 'webgpu': the model, optimizer state and every step on the GPU (default: the CPU). */
  device?: 'cpu' | 'webgpu';
}

/**
 * Held-out recall: one seeded caption per pair as the text query, its own image as the target
 * (embedded on the model's device; a GPU model's embeddings are read back).
 */
export async function evaluateRetriever(r: Retriever, pairs: readonly Pair[], seed = 0): Promise<RecallReport> {
  const rng = new Rng(seed);
  const captions = pairs.map((p) => p.captions[rng.int(p.captions.length)]);
  const [t, v] = await r.embedPairsRead(captions, pairs.map((p) => p.image));
  return recallAtK(t, v, pairs.map((p) => p.concept), [1, 5, 10]);
}

/**
 * B pairs: distinct concepts drawn at random, each bringing up to `siblings` of its images (1: one
 * image per concept, so no same-concept image is a false negative; more: same-concept images are
 * in the batch, as positives where they share the caption and as hard negatives where they do not).
 */
export function sampleBatch(pairs: readonly Pair[], byConcept: ReadonlyMap<string, readonly Pair[]>, B: number, siblings: number, rng: Rng): Pair[] {
  const seen = new Set<string>(), out: Pair[] = [];
  for (let tries = 0; out.length < B && tries < 20 * B; tries++) {
    const p = pairs[rng.int(pairs.length)];
    if (seen.has(p.concept)) continue;
    seen.add(p.concept);
    out.push(p);
    if (siblings > 1) {
      const others = (byConcept.get(p.concept) ?? []).filter((q) => q !== p);
      for (let n = 1; n < siblings && others.length && out.length < B; n++) out.push(others.splice(rng.int(others.length), 1)[0]);
    }
  }
  while (out.length < B) out.push(pairs[rng.int(pairs.length)]);
  return out;
}

/** For each caption i of the batch, the images it describes: its own and same-concept images that list the same caption. */
export function batchPositives(batch: readonly Pair[], captions: readonly string[]): number[][] {
  return captions.map((c, i) => batch.flatMap((q, j) => (j === i || (q.concept === batch[i].concept && q.captions.includes(c)) ? [j] : [])));
}

export function groupByConcept(pairs: readonly Pair[]): Map<string, Pair[]> {
  const m = new Map<string, Pair[]>();
  for (const p of pairs) {
    const g = m.get(p.concept);
    if (g) g.push(p); else m.set(p.concept, [p]);
  }
  return m;
}

/**
 * Train (or resume) the retriever. With `device: 'webgpu'` the model, optimizer state and every step
 * live on the GPU; the host waits once per step (loss, batch logits for the accuracy, temperature
 * and gradient norm in one read) and evaluates on the GPU.
 */
export function trainRetriever(o: RetrieverTrainOptions): Promise<RetrieverModel> {
  return runOn(o.device, () => trainOn(o));
}

async function trainOn(o: RetrieverTrainOptions): Promise<RetrieverModel> {
  const model = new RetrieverModel(o.config);
  const opt = new AdamW(model.namedParameters(), {
    lr: o.lr, betas: [0.9, 0.98], weightDecay: 0.1, decay: (n, p) => p.ndim >= 2 && !n.endsWith('pos') && !n.endsWith('tok.weight'),
  });
  mkdirSync(o.out, { recursive: true });
  const ckpt = join(o.out, 'retriever.safetensors'), log = join(o.out, 'train_log.jsonl');
  let start = 0;
  if (o.resume && existsSync(ckpt)) start = loadCheckpoint(ckpt, model, opt).step ?? 0;
  startTrainLog(log, start);
  const rng = new Rng(o.config.seed * 7919 + start);
  const siblings = o.siblings ?? 1, byConcept = groupByConcept(o.train);
  for (let step = start; step < o.steps; step++) {
    const batch = sampleBatch(o.train, byConcept, o.batch, siblings, rng);
    const captions = batch.map((p) => p.captions[rng.int(p.captions.length)]);
    const positives = siblings > 1 ? batchPositives(batch, captions) : undefined;
    const { loss, logits } = tidy(() => {
      const { ids, mask } = textBatch(o.text, captions, o.config);
      const r = model.contrastiveLoss(model.text.forward(ids, mask), model.image.forward(toTensor(batch.map((p) => p.image), o.config.imageSize)), positives);
      backward(r.loss);
      return r;
    });
    const { reads: [[l], lg, [scale]] } = await clipGradNormAndRead(model.parameters(), 1.0, [loss, logits, model.logitScale]);
    loss.dispose();
    logits.dispose();
    if (!Number.isFinite(l)) throw new Error(`retriever: loss is ${l} at step ${step}; checkpoint kept at step ${start}`);
    const B = batch.length;
    let correct = 0;
    for (let i = 0; i < B; i++) {
      let best = 0;
      for (let j = 1; j < B; j++) if (lg[i * B + j] > lg[i * B + best]) best = j;
      if (positives ? positives[i].includes(best) : best === i) correct++;
    }
    opt.step(learningRate(step, { peak: o.lr, warmup: Math.min(300, o.steps >> 3), total: o.steps, min: o.lr / 20 }));
    opt.zeroGrad();
    model.clampLogitScale();
    // The temperature this step's forward used (read with the loss, before the update).
    const row: Record<string, number> = { step: step + 1, loss: l, batch_acc: correct / B, temperature: Math.exp(-scale) };
    if ((step + 1) % o.evalEvery === 0 || step + 1 === o.steps) {
      const e = await evaluateRetriever(new Retriever(model, o.text, 'training'), o.eval);
      Object.assign(row, { t2i_r1: e.t2i[1], t2i_r5: e.t2i[5], t2i_r10: e.t2i[10], i2t_r1: e.i2t[1], i2t_r10: e.i2t[10], t2i_concept_r10: e.t2iConcept[10] });
      await saveCheckpointAsync(ckpt, model, { optimizer: opt, config: o.config, step: step + 1 });
    }
    appendFileSync(log, `${JSON.stringify(row)}\n`);
    if (row.t2i_r10 !== undefined) {
      plotJsonl(log, join(o.out, 'loss.svg'), [
        { title: 'retriever: InfoNCE loss (EMA)', logY: true, keys: [{ key: 'loss', name: 'loss', smooth: true }] },
        { title: 'held-out recall', keys: [{ key: 't2i_r1', name: 'text→image R@1' }, { key: 't2i_r10', name: 'text→image R@10' }, { key: 'i2t_r10', name: 'image→text R@10' }] },
      ]);
    }
    o.onLog?.(row);
  }
  return model;
}
