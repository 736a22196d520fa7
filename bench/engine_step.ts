/**
 * bench/engine_step.ts — child process: time the engine's GPT training step (forward, backward,
 * clip, AdamW) and print one JSON line with tokens/s and peak RSS. Run by bench/engine.ts.
 */
import { getBackend } from '../src/backend/index.js';
import { GPT, type GPTConfig } from '../src/model/gpt.js';
import { GPT_PRESETS } from '../src/model/presets.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { backward, randint, Rng, tidy } from '../src/tensor/index.js';
import { median } from './util.js';

const [steps, warmup] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 2)];
const cfg: GPTConfig = { ...GPT_PRESETS.bench, ...(process.argv[4] ? JSON.parse(process.argv[4]) : {}) };
const B = Number(process.argv[5] ?? 8);
const model = new GPT(cfg);
const opt = new AdamW(model.namedParameters(), { lr: 3e-4, betas: [0.9, 0.95], weightDecay: 0.1 });
const rng = new Rng(1234);
const ids = randint([B, cfg.seq], cfg.vocab, rng).keep(), tgt = randint([B, cfg.seq], cfg.vocab, rng).keep();
const times: number[] = [];
let first = NaN, last = NaN;
for (let s = 0; s < warmup + steps; s++) {
  const t0 = process.hrtime.bigint();
  const l = tidy(() => { const loss = model.loss(ids, tgt); backward(loss); return loss.item(); });
  clipGradNorm(model.parameters(), 1.0);
  opt.step();
  opt.zeroGrad();
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (s >= warmup) times.push(dt);
  if (s === 0) first = l;
  last = l;
}
const m = median(times);
console.log(JSON.stringify({ peer: 'cm3leon', backend: getBackend().name, step_ms_median: m * 1000,
  tokens_per_s: (B * cfg.seq) / m, peak_rss_mb: process.resourceUsage().maxRSS / 1024, loss_first: first, loss_last: last }));
