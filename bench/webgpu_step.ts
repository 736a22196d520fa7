/**
 * bench/webgpu_step.ts — `npm run bench -- webgpu-step`: one training step (forward, weighted
 * cross-entropy, backward, global-norm clip, AdamW) with the model, optimizer state and batch
 * resident on the WebGPU device, for the engine benchmark's GPT (L 4, d 256, T 256, V 4096, B 8)
 * and the shipped `small` CM3Leon (L 6, d 256, T 384, V 8212, B 8); next to PyTorch eager on the
 * same configuration in the same call (dev/bench_torch.py: CUDA fp32 where a GPU is present,
 * matmul+softmax attention and fused SDPA; else the CPU). The host waits for the device once per
 * step (the loss and the gradient norm are read back), as `train --device webgpu` does.
 * Options: --steps N (default 20), --warmup N (default 3), --only gpt|cm3leon.
 */
import { spawnSync } from 'node:child_process';
import { CM3Leon } from '../src/model/cm3leon.js';
import { resolveCM3LeonConfig } from '../src/model/cm3leon_presets.js';
import { GPT } from '../src/model/gpt.js';
import { GPT_PRESETS } from '../src/model/presets.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNormAndRead } from '../src/optim/clip.js';
import { backward, openDevice, randint, Rng, tidy, useDevice, type Tensor } from '../src/tensor/index.js';
import { median, runJsonPeer, table } from './util.js';

interface Config { name: string; arch: 'gpt' | 'cm3leon'; L: number; d: number; heads: number; T: number; V: number; B: number }
const CONFIGS: Config[] = [
  { name: 'engine bench GPT', arch: 'gpt', L: 4, d: 256, heads: 4, T: 256, V: 4096, B: 8 },
  { name: 'small CM3Leon', arch: 'cm3leon', L: 6, d: 256, heads: 4, T: 384, V: 8212, B: 8 },
];

interface Model { loss(ids: Tensor, t: Tensor): Tensor; namedParameters(): [string, Tensor][]; parameters(): Tensor[] }

function build(c: Config): Model {
  if (c.arch === 'gpt') return new GPT({ ...GPT_PRESETS.bench, vocab: c.V, seq: c.T, dModel: c.d, layers: c.L, heads: c.heads, mlpHidden: 4 * c.d });
  return new CM3Leon(resolveCM3LeonConfig('small', [`vocab=${c.V}`, `contextLength=${c.T}`, `dModel=${c.d}`, `layers=${c.L}`, `heads=${c.heads}`, `mlpHidden=${4 * c.d}`]));
}

async function timeResident(c: Config, steps: number, warmup: number): Promise<Record<string, number>> {
  const rt = await openDevice();
  useDevice(rt);
  try {
    const model = build(c);
    const params = model.parameters();
    const opt = new AdamW(model.namedParameters(), { lr: 3e-4, betas: [0.9, 0.95], weightDecay: 0.1 });
    const rng = new Rng(1234);
    const ids = randint([c.B, c.T], c.V, rng).keep(), tgt = randint([c.B, c.T], c.V, rng).keep();
    const times: number[] = [], record: number[] = [], wait: number[] = [];
    let first = NaN, last = NaN, dispatches = 0, binds = 0, submits = 0;
    for (let s = 0; s < warmup + steps; s++) {
      const t0 = performance.now(), d0 = rt.dispatches, b0 = rt.bindGroupsCreated, s0 = rt.submits, c0 = rt.buffersCreated;
      const loss = tidy(() => { const l = model.loss(ids, tgt); backward(l); return l; });
      const t1 = performance.now();
      const l = (await clipGradNormAndRead(params, 1.0, [loss])).reads[0][0];
      const t2 = performance.now();
      loss.dispose();
      opt.step();
      opt.zeroGrad();
      if (s >= warmup) { times.push(performance.now() - t0); record.push(t1 - t0); wait.push(t2 - t1); dispatches = rt.dispatches - d0; binds = rt.bindGroupsCreated - b0; submits = rt.submits - s0; }
      if (process.env.CM3LEON_BENCH_VERBOSE) console.log(`# step ${s}: ${rt.dispatches - d0} dispatches, ${rt.bindGroupsCreated - b0} new bind groups, ${rt.buffersCreated - c0} new buffers, ${rt.submits - s0} submits`);
      if (s === 0) first = l;
      last = l;
    }
    await rt.sync();
    const m = median(times);
    return { step_ms_median: m, tokens_per_s: (c.B * c.T) / (m / 1000), record_ms_median: median(record), wait_ms_median: median(wait), dispatches, bind_groups_created: binds, submits, loss_first: first, loss_last: last };
  } finally {
    useDevice(null);
  }
}

function cudaAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { encoding: 'utf8' });
  return r.status === 0;
}

export async function runWebGpuStepBench(args: string[]): Promise<void> {
  const opt = (k: string, d: number) => { const a = args.find((x) => x.startsWith(`--${k}=`)); return a ? Number(a.split('=')[1]) : d; };
  const only = args.find((x) => x.startsWith('--only='))?.slice(7);
  const steps = opt('steps', 20), warmup = opt('warmup', 3);
  const cuda = cudaAvailable();
  const rt = await openDevice();
  console.log(`# WebGPU training step (resident tensors, fp32) vs PyTorch eager ${cuda ? 'CUDA' : 'CPU (2 threads, OMP_WAIT_POLICY=PASSIVE)'}; ${steps} timed steps after ${warmup}\n`);
  void rt;
  const rows: (string | number)[][] = [['config', 'webgpu tok/s', 'webgpu ms/step', 'host record ms', 'wait ms', 'dispatches (new bind groups, submits)', 'PyTorch eager tok/s', 'PyTorch SDPA tok/s', 'webgpu / best PyTorch']];
  for (const c of CONFIGS.filter((x) => !only || x.arch === only)) {
    const w = await timeResident(c, steps, warmup);
    const peerArgs = ['dev/bench_torch.py', '--arch', c.arch, '--layers', String(c.L), '--d', String(c.d), '--heads', String(c.heads), '--seq', String(c.T),
      '--batch', String(c.B), '--vocab', String(c.V), '--steps', String(steps), '--warmup', String(warmup), '--threads', '2', '--device', cuda ? 'cuda' : 'cpu'];
    const env = { OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' };
    const eager = runJsonPeer('python3', peerArgs, env), sdpa = cuda ? runJsonPeer('python3', [...peerArgs, '--sdpa'], env) : 'no GPU';
    const tps = (p: Record<string, unknown> | string) => (typeof p === 'string' ? NaN : Number(p.tokens_per_s));
    const best = Math.max(...[tps(eager), tps(sdpa)].filter(Number.isFinite));
    for (const [what, p] of [['eager', eager], ['sdpa', sdpa]] as const) if (typeof p === 'string') console.log(`# PyTorch ${what}: ${p}`);
    rows.push([`${c.name} (L ${c.L}, d ${c.d}, T ${c.T}, V ${c.V}, B ${c.B})`, Math.round(w.tokens_per_s), w.step_ms_median.toFixed(2), w.record_ms_median.toFixed(2), w.wait_ms_median.toFixed(2),
      `${w.dispatches} (${w.bind_groups_created}, ${w.submits})`, Number.isFinite(tps(eager)) ? Math.round(tps(eager)) : '-', Number.isFinite(tps(sdpa)) ? Math.round(tps(sdpa)) : '-',
      Number.isFinite(best) ? (w.tokens_per_s / best).toFixed(2) : '-']);
    console.log(`# ${c.name}: webgpu loss ${w.loss_first.toFixed(3)} -> ${w.loss_last.toFixed(3)}`);
  }
  console.log(table(rows));
}
