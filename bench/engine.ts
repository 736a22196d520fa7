/**
 * bench/engine.ts — `npm run bench -- engine`: GEMM GFLOP/s (engine matmul vs raw OpenBLAS) and
 * one GPT training step (engine vs PyTorch vs tfjs-wasm vs the step's GEMMs alone), each peer in
 * its own process so peak RSS is its own. Prints markdown tables (docs/performance.md).
 */
import { existsSync } from 'node:fs';
import { GPT_PRESETS } from '../src/model/presets.js';
import { matmul, randn, Rng, tidy } from '../src/tensor/index.js';
import { withRawThreads } from './rawblas.js';
import { bestTime, machine, nodeScript, runJsonPeer, table } from './util.js';

const SHAPES: [number, number, number][] = [[1024, 1024, 1024], [256, 3072, 768], [4096, 768, 768], [2048, 256, 256]];

export function gemmTable(reps = 10): string {
  const rng = new Rng(1);
  const rows: (string | number)[][] = [['M, N, K', 'engine GFLOP/s', 'raw OpenBLAS GFLOP/s', 'ratio']];
  for (const [M, N, K] of SHAPES) {
    const a = randn([M, K], { rng }).keep(), b = randn([K, N], { rng }).keep();
    const flop = 2 * M * N * K;
    const tEngine = bestTime(() => tidy(() => { matmul(a, b); }), reps);
    const c = new Float32Array(M * N);
    const tRaw = withRawThreads(2, (r) => bestTime(() => r.sgemm(a.data as Float32Array, b.data as Float32Array, c, M, N, K, 0, 0), reps));
    rows.push([`${M}, ${N}, ${K}`, (flop / tEngine / 1e9).toFixed(1), (flop / tRaw / 1e9).toFixed(1), (tRaw / tEngine).toFixed(2)]);
    a.release();
    b.release();
  }
  return table(rows);
}

/** Time the GEMMs of one training step of the bench config through raw OpenBLAS (2 threads). */
export function gemmBoundTokensPerSec(B = 8): number {
  const c = GPT_PRESETS.bench, T = c.seq, R = B * T, C = c.dModel, F = c.mlpHidden, V = c.vocab, H = c.heads, D = C / H;
  const lin: [number, number, number][] = [[R, 3 * C, C], [R, C, C], [R, F, C], [R, C, F]];
  const shapes: [number, number, number, number][] = []; // M, N, K, count
  for (const [m, n, k] of lin) shapes.push([m, n, k, c.layers], [m, k, n, c.layers], [n, k, m, c.layers]); // fwd, dX, dW
  shapes.push([R, V, C, 1], [R, C, V, 1], [V, C, R, 1]);
  // attention per (b, h): fwd QK^T, PV; bwd dV, dP, dQ, dK
  shapes.push([T, T, D, 2 * B * H * c.layers], [T, D, T, 4 * B * H * c.layers]);
  let total = 0;
  withRawThreads(2, (r) => {
    for (const [m, n, k, count] of shapes) {
      const a = new Float32Array(m * k).fill(0.01), b = new Float32Array(k * n).fill(0.02), out = new Float32Array(m * n);
      const reps = Math.min(count, 64);
      const t = bestTime(() => { for (let i = 0; i < reps; i++) r.sgemm(a, b, out, m, n, k, 0, 0); }, 3) / reps;
      total += t * count;
    }
  });
  return R / total;
}

type Peer = Record<string, unknown> | string;
const num = (p: Peer, k: string) => (typeof p === 'string' ? NaN : Number(p[k]));

export function stepTable(steps = 10): string {
  const cfgArgs = ['--layers', '4', '--d', '256', '--heads', '4', '--seq', '256', '--batch', '8', '--vocab', '4096'];
  const engine = runJsonPeer(process.execPath, [nodeScript('engine_step.js'), String(steps), '2']);
  const torchPy = '/usr/bin/python3';
  const torch: Peer = existsSync(torchPy)
    ? runJsonPeer(torchPy, ['dev/bench_torch.py', ...cfgArgs, '--steps', String(steps), '--warmup', '2', '--threads', '2'],
      { OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' })
    : 'skipped: /usr/bin/python3 missing';
  const tfjsScript = nodeScript('peers/run_tfjs_wasm.js');
  const tfjs: Peer = existsSync(tfjsScript)
    ? runJsonPeer(process.execPath, [tfjsScript, ...cfgArgs, '--steps', '3', '--warmup', '1'])
    : 'skipped: tfjs-wasm peer not built';
  const bound = gemmBoundTokensPerSec();
  const pt = num(torch, 'tokens_per_s');
  const rows: (string | number)[][] = [['peer', 'tokens/s', 'vs PyTorch', 'step ms', 'peak RSS MB', 'RSS vs PyTorch']];
  const add = (name: string, p: Peer, tpsKey: string, msKey: string, rssKey: string) => {
    if (typeof p === 'string') { rows.push([name, p, '', '', '', '']); return; }
    const tps = num(p, tpsKey), rss = num(p, rssKey);
    rows.push([name, tps.toFixed(0), (tps / pt).toFixed(2), num(p, msKey).toFixed(0), Number.isNaN(rss) ? '-' : rss.toFixed(0),
      Number.isNaN(rss) ? '-' : (rss / num(torch, 'peak_rss_mb')).toFixed(2)]);
  };
  add('cm3leon (native)', engine, 'tokens_per_s', 'step_ms_median', 'peak_rss_mb');
  add('PyTorch 2 thr, OMP_WAIT_POLICY=PASSIVE', torch, 'tokens_per_s', 'step_ms_median', 'peak_rss_mb');
  add('tfjs-wasm', tfjs, 'tokensPerSec', 'stepMsMedian', 'peakRssMb');
  rows.push(['GEMMs only (raw OpenBLAS, 2 thr)', bound.toFixed(0), (bound / pt).toFixed(2), (8 * 256 / bound * 1000).toFixed(0), '-', '-']);
  return table(rows);
}

export function runEngineBench(): void {
  console.log(`# engine benchmark\n\nmachine: ${machine()}\n`);
  console.log('## GEMM (fp32, best of 10)\n');
  console.log(gemmTable());
  console.log('\n## Training step: GPT 4 layers, d=256, 4 heads, seq 256, batch 8, vocab 4096 (fwd + bwd + clip + AdamW)\n');
  console.log(stepTable());
}
