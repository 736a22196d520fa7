/**
 * bench/webgpu.ts — `npm run bench -- webgpu`: the WebGPU GEMM kernel's TFLOP/s at the engine
 * benchmark's shapes, the small LM's shapes and their transposed (backward) forms, decoding's
 * few-row shapes (skinny kernel vs the tiled one, and with f16 weights; `--decode` runs only
 * those), next to
 * PyTorch's fp32 GEMM on the same machine (cuBLAS with TF32 off where CUDA is present:
 * dev/bench_gemm_torch.py). On a machine without a GPU it runs on Mesa llvmpipe, which says
 * nothing about GPUs; the numbers that matter come from dev/webgpu_device.sh on a lent GPU.
 */
import { requestGpu } from '../src/backend/webgpu/gpu.js';
import { attention, attentionBackward } from '../src/backend/webgpu/kernels/attention.js';
import { gemm, gemmHalfB } from '../src/backend/webgpu/kernels/gemm.js';
import { GpuRuntime, type GArr } from '../src/backend/webgpu/runtime.js';
import { packHalf } from '../src/tensor/half.js';
import { Rng } from '../src/tensor/random.js';
import { runJsonPeer, table } from './util.js';

type Mode = 'NN' | 'NT' | 'TN';
/** M, N, K, mode: engine bench shapes, then the small LM's (B 8 x T 1024 rows, C 768, FFN 3072, V 8212). */
const SHAPES: [number, number, number, Mode][] = [
  [1024, 1024, 1024, 'NN'], [256, 3072, 768, 'NN'], [4096, 768, 768, 'NN'], [2048, 256, 256, 'NN'],
  [4096, 4096, 4096, 'NN'], [8192, 2304, 768, 'NT'], [8192, 768, 3072, 'NT'], [8192, 3072, 768, 'NN'],
  [768, 3072, 8192, 'TN'], [8192, 8212, 768, 'NT'],
];
/** Decoding: 8 rows (4 samples x [cond; uncond]) through the small LM's Linears (gemm_skinny.ts). */
const DECODE_SHAPES: [number, number, number, Mode][] = [
  [8, 2304, 768, 'NT'], [8, 768, 768, 'NT'], [8, 3072, 768, 'NT'], [8, 768, 3072, 'NT'], [8, 8212, 768, 'NT'], [1, 8212, 768, 'NT'],
];

function randomBuffer(rt: GpuRuntime, n: number, rng: Rng): GArr {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return rt.upload(a);
}

/** TFLOP/s of one GEMM shape; half: B stored as packed f16 (gemmHalfB). */
async function timeGemm(rt: GpuRuntime, M: number, N: number, K: number, mode: Mode, half = false): Promise<number> {
  const rng = new Rng(1);
  const a = randomBuffer(rt, M * K, rng), c = rt.alloc(M * N);
  const b = half ? rt.upload(packHalf(Float32Array.from({ length: K * N }, () => rng.normal()))) : randomBuffer(rt, K * N, rng);
  const ta = mode[0] === 'T', tb = mode[1] === 'T';
  const run = () => (half ? gemmHalfB : gemm)(rt, a, 0, b, 0, c, 0, M, N, K, ta, tb, ta ? M : K, tb ? K : N, N, 1, 0, 1, 0, 0, 0);
  run();
  await rt.sync();
  const t1 = performance.now();
  run();
  await rt.sync();
  const flop = 2 * M * N * K;
  // About 0.2 s per timing: enough to hide launch overhead on a GPU, bearable on llvmpipe.
  const reps = Math.max(1, Math.min(100, Math.round(200 / Math.max(performance.now() - t1, 1e-3))));
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    await rt.sync();
    best = Math.min(best, (performance.now() - t0) / 1e3 / reps);
  }
  for (const x of [a, b, c]) x.buf.destroy();
  return flop / best / 1e12;
}

/** Forward + backward of the fused attention at the small LM's shape (ms each). */
async function timeAttention(rt: GpuRuntime, B: number, T: number, H: number, D: number): Promise<[number, number]> {
  const rng = new Rng(2), n = B * T * H * D;
  const q = randomBuffer(rt, n, rng), k = randomBuffer(rt, n, rng), v = randomBuffer(rt, n, rng), dout = randomBuffer(rt, n, rng);
  const out = rt.alloc(n), lse = rt.alloc(B * H * T), dq = rt.alloc(n), dk = rt.alloc(n), dv = rt.alloc(n);
  const view = (data: GArr) => ({ data, sB: T * H * D, sT: H * D, sH: D });
  const s = { B, Tq: T, Tk: T, H, D, causal: true, scale: 1 / Math.sqrt(D), keyMask: null };
  const fwd = () => attention(rt, view(q), view(k), view(v), out, lse, s);
  const bwd = () => attentionBackward(rt, view(q), view(k), view(v), out, lse, dout, view(dq), view(dk), view(dv), s);
  const time = async (f: () => void) => {
    f();
    await rt.sync();
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      f();
      await rt.sync();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const res: [number, number] = [await time(fwd), await time(bwd)];
  for (const x of [q, k, v, dout, out, lse, dq, dk, dv]) x.buf.destroy();
  return res;
}

export async function runWebGpuBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const tilesArg = args.find((a) => a.startsWith('--tiles='));
  const tiles = tilesArg ? tilesArg.slice(8).split(',') : ['auto'];
  const decodeOnly = args.includes('--decode');
  const shapes = decodeOnly ? DECODE_SHAPES : quick ? SHAPES.slice(0, 4) : [...SHAPES, ...DECODE_SHAPES];
  const gpu = await requestGpu();
  const rt = await GpuRuntime.create(gpu.device);
  console.log(`# WebGPU GEMM (fp32), adapter: ${gpu.description}\n`);
  const peer = runJsonPeer('python3', ['dev/bench_gemm_torch.py', ...shapes.map(([m, n, k, mo]) => `${m},${n},${k},${mo}`)]);
  const peerName = typeof peer === 'string' ? `PyTorch (${peer})` : `PyTorch fp32 on ${String(peer.device)}`;
  const rows: (string | number)[][] = [['M, N, K, op', ...tiles.map((t) => `webgpu ${t} TFLOP/s`), 'tiled (skinny off)', 'f16 B (skinny)', 'PyTorch TFLOP/s', 'best webgpu / PyTorch']];
  for (const [M, N, K, mode] of shapes) {
    const got: number[] = [];
    for (const tile of tiles) {
      if (tile === 'auto') delete process.env.CM3LEON_WEBGPU_GEMM_TILE;
      else process.env.CM3LEON_WEBGPU_GEMM_TILE = tile;
      got.push(await timeGemm(rt, M, N, K, mode));
    }
    delete process.env.CM3LEON_WEBGPU_GEMM_TILE;
    // Few rows run gemm_skinny.ts; the same shape on the tiled kernel, for the ratio.
    let tiled = NaN, half = NaN;
    if (M <= 8) {
      process.env.CM3LEON_WEBGPU_SKINNY = '0';
      tiled = await timeGemm(rt, M, N, K, mode);
      delete process.env.CM3LEON_WEBGPU_SKINNY;
      half = await timeGemm(rt, M, N, K, mode, true);
    }
    const t = Math.max(...got);
    const p = typeof peer === 'string' ? NaN : Number((peer.tflops as Record<string, number>)[`${M},${N},${K},${mode}`]);
    rows.push([`${M}, ${N}, ${K}, ${mode}`, ...got.map((g) => g.toPrecision(3)), Number.isFinite(tiled) ? `${tiled.toPrecision(3)} (skinny ${(t / tiled).toFixed(1)}x)` : '-',
      Number.isFinite(half) ? `${half.toPrecision(3)} (${(half / t).toFixed(2)}x f32)` : '-',
      Number.isFinite(p) ? p.toPrecision(3) : '-', Number.isFinite(p) ? (t / p).toFixed(2) : '-']);
  }
  console.log(`peer: ${peerName}\n`);
  console.log(table(rows));
  if (!quick && !decodeOnly) {
    const [f, b] = await timeAttention(rt, 8, 1024, 12, 64);
    console.log(`\nattention (B 8, T 1024, H 12, D 64, causal): forward ${f.toFixed(1)} ms, backward ${b.toFixed(1)} ms`);
  }
}
