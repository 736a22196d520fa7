/**
 * Benchmark peer: one GPT training step in TensorFlow.js on its WebAssembly
 * backend (@tensorflow/tfjs-backend-wasm), in Node.
 *
 * The model mirrors dev/bench_torch.py: pre-LayerNorm GPT with biases, fused
 * qkv projection, causal softmax attention (scale 1/sqrt(hs)), GELU (tanh
 * approximation), untied bias-free LM head, float32. One step = forward, mean
 * softmax cross-entropy on fixed seeded random next-token targets, backward
 * (tf.variableGrads), global-norm clip at 1.0 (computed by hand: tfjs has no
 * clipByGlobalNorm), then AdamW: decoupled weight decay 0.1 applied by hand to
 * every parameter (p *= 1 - lr*wd, like torch.optim.AdamW with a single
 * param group) followed by tf.train.adam(3e-4, 0.9, 0.95, 1e-8).
 *
 * Notes on the tfjs packages in Node:
 * - @tensorflow/tfjs-core's Node bundle registers no gradient functions (and
 *   no chained ops); they ship only in the union package's bundle, so
 *   `@tensorflow/tfjs` is loaded for that side effect. Only the pure-JS
 *   packages are used; @tensorflow/tfjs-node is not.
 * - The wasm binaries ship in @tensorflow/tfjs-backend-wasm/dist/*.wasm. We
 *   point setWasmPaths() at that directory (a plain filesystem path with a
 *   trailing separator), resolved through the package's main entry.
 * - In Node the backend always takes the single-threaded SIMD binary
 *   (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false when IS_NODE), so
 *   setThreadsCount() is accepted but getThreadsCount() reports 1.
 * - The wasm backend has no UnsortedSegmentSum kernel, which the stock
 *   gradient of tf.gather needs, so the token embedding lookup uses a
 *   tf.customGrad whose backward is a scatter-add (tf.scatterND, which sums
 *   duplicate indices).
 * - The causal mask is an additive constant of -1e9 above the diagonal
 *   (equivalent in float32 to masked_fill(-inf) followed by softmax).
 * - The wasm backend hands only unbatched, untransposed MatMuls to XNNPACK;
 *   transposed or batched ones run a naive loop roughly 10x slower. tfjs's
 *   stock MatMul gradient uses transposed MatMuls, so by default the dense
 *   layers and LM head get a hand-written backward with explicit transposes
 *   (same math, fast kernels); `stockGrads: true` keeps the stock gradient.
 *   The attention products (batched over batch*heads) stay on the slow path:
 *   splitting them into per-head 2-D MatMuls is no faster, because Slice and
 *   Unpack on this backend copy the whole source tensor each time.
 *
 * tfjs is imported dynamically so importing this module costs nothing until
 * the benchmark actually runs.
 */

import { median } from '../util.js';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { GradSaveFunc, Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';

export interface StepConfig {
  layers: number;
  d: number;
  heads: number;
  seq: number;
  batch: number;
  vocab: number;
}

export interface TfjsWasmResult {
  peer: 'tfjs-wasm';
  version: string;
  tokensPerSec: number;
  stepMsMedian: number;
  lossFirst: number;
  lossLast: number;
  threads: number;
}

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

const LR = 3e-4;
const BETA1 = 0.9;
const BETA2 = 0.95;
const EPS = 1e-8;
const WEIGHT_DECAY = 0.1;
const CLIP_NORM = 1.0;
const LN_EPS = 1e-5;
const INIT_STD = 0.02;
const SEED = 1234;

let loaded: { tf: TfCore; wasm: TfWasm } | null = null;
let runCounter = 0;

/** Directory holding tfjs-backend-wasm's .wasm files (its dist/ folder). */
export function tfjsWasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  // package.json "main" is dist/tf-backend-wasm.node.js; the binaries sit beside it.
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const probe = path.join(dir, 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(probe)) {
    throw new Error(`tfjs-wasm peer: ${probe} not found; is @tensorflow/tfjs-backend-wasm installed?`);
  }
  return dir;
}

async function loadTf(threads: number | undefined): Promise<{ tf: TfCore; wasm: TfWasm }> {
  if (loaded) return loaded;
  const tf: TfCore = await import('@tensorflow/tfjs-core');
  // Side effect only: registers every gradient (and chained op) with the shared tfjs-core.
  await import('@tensorflow/tfjs');
  const wasm: TfWasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(tfjsWasmBinaryDir() + path.sep);
  if (threads !== undefined && threads > 0) wasm.setThreadsCount(threads);
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`tfjs-wasm peer: could not initialise the wasm backend (active: ${tf.getBackend()})`);
  }
  loaded = { tf, wasm };
  return loaded;
}

/** mulberry32: small deterministic PRNG for the token batch. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


interface BlockParams {
  ln1g: Variable; ln1b: Variable;
  wqkv: Variable; bqkv: Variable;
  wo: Variable; bo: Variable;
  ln2g: Variable; ln2b: Variable;
  wfc: Variable; bfc: Variable;
  wproj: Variable; bproj: Variable;
}

export async function tfjsWasmTrainStep(
  cfg: StepConfig,
  opts: {
    steps: number;
    warmup: number;
    threads?: number;
    /** Use tfjs's stock MatMul gradients for the dense layers (slow transposed-matmul path in wasm). Default false. */
    stockGrads?: boolean;
  },
): Promise<TfjsWasmResult> {
  const { layers, d, heads, seq, batch, vocab } = cfg;
  if (d % heads !== 0) throw new Error(`tfjs-wasm peer: d=${d} not divisible by heads=${heads}`);
  if (opts.steps < 1) throw new Error('tfjs-wasm peer: steps must be >= 1');
  const warmup = Math.max(0, opts.warmup | 0);
  const { tf, wasm } = await loadTf(opts.threads);
  const stockGrads = opts.stockGrads === true;

  const hs = d / heads;
  const N = batch * seq;
  const prefix = `tfjs_wasm_bench_${runCounter++}/`;
  const vars: Variable[] = [];
  let seed = SEED;
  const normal = (name: string, shape: number[]): Variable => {
    const s = seed++;
    // tidy disposes the init tensor; the variable keeps its own reference to the data.
    const v = tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, INIT_STD, 'float32', s), true, prefix + name));
    vars.push(v);
    return v;
  };
  const filled = (name: string, shape: number[], value: number): Variable => {
    const v = tf.tidy(() => tf.variable(tf.fill(shape, value, 'float32'), true, prefix + name));
    vars.push(v);
    return v;
  };

  // ---- parameters (same set and init as dev/bench_torch.py) ----
  const wte = normal('wte', [vocab, d]);
  const wpe = normal('wpe', [seq, d]);
  const blocks: BlockParams[] = [];
  for (let l = 0; l < layers; l++) {
    const p = `h${l}.`;
    blocks.push({
      ln1g: filled(p + 'ln1.g', [d], 1), ln1b: filled(p + 'ln1.b', [d], 0),
      wqkv: normal(p + 'qkv.w', [d, 3 * d]), bqkv: normal(p + 'qkv.b', [3 * d]),
      wo: normal(p + 'proj.w', [d, d]), bo: normal(p + 'proj.b', [d]),
      ln2g: filled(p + 'ln2.g', [d], 1), ln2b: filled(p + 'ln2.b', [d], 0),
      wfc: normal(p + 'fc.w', [d, 4 * d]), bfc: normal(p + 'fc.b', [4 * d]),
      wproj: normal(p + 'mlp_proj.w', [4 * d, d]), bproj: normal(p + 'mlp_proj.b', [d]),
    });
  }
  const lnfg = filled('ln_f.g', [d], 1);
  const lnfb = filled('ln_f.b', [d], 0);
  const wlm = normal('lm_head.w', [d, vocab]);

  // ---- fixed inputs ----
  const rng = mulberry32(SEED);
  const idsArr = new Int32Array(N);
  const tgtArr = new Int32Array(N);
  for (let i = 0; i < N; i++) idsArr[i] = Math.floor(rng() * vocab);
  for (let i = 0; i < N; i++) tgtArr[i] = Math.floor(rng() * vocab);
  const ids = tf.tensor1d(idsArr, 'int32');
  const idsCol = tf.tensor2d(idsArr, [N, 1], 'int32');
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(tgtArr, 'int32'), vocab)); // float32 [N, vocab]
  const maskArr = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) maskArr[i * seq + j] = -1e9;
  const mask = tf.tensor2d(maskArr, [seq, seq]);
  const constants: Tensor[] = [ids, idsCol, labels, mask];

  // ---- model ----
  // Embedding lookup whose backward is a scatter-add (wasm lacks UnsortedSegmentSum).
  const embed = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const table = args[0] as Tensor;
    return {
      value: tf.gather(table, ids),
      gradFunc: (dy: Tensor | Tensor[]) => tf.scatterND(idsCol, dy as Tensor, [vocab, d]),
    };
  }) as (table: Tensor) => Tensor;

  const layerNorm = (x: Tensor, g: Tensor, b: Tensor): Tensor => {
    const mu = tf.mean(x, -1, true);
    const xc = tf.sub(x, mu);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS))), g), b);
  };
  // Dense layers on [N, in] x [in, out]. The wasm backend only sends a plain,
  // unbatched, untransposed MatMul to XNNPACK (~30 GFLOP/s here); tfjs's stock
  // MatMul gradient uses transposeA/transposeB, which fall to a naive loop
  // (~2.5 GFLOP/s). So by default the backward is written by hand with explicit
  // transposes: dx = dy @ W^T, dW = x^T @ dy, db = sum(dy, 0).
  const denseFast = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [x, w, b] = args as [Tensor2D, Tensor2D, Tensor1D];
    const save = args[3] as GradSaveFunc;
    save([x, w]);
    return {
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g = dy as Tensor2D;
        const [xs, ws] = saved as [Tensor2D, Tensor2D];
        return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g), tf.sum(g, 0)];
      },
    };
  }) as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
  const matMulFast = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [x, w] = args as [Tensor2D, Tensor2D];
    const save = args[2] as GradSaveFunc;
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g = dy as Tensor2D;
        const [xs, ws] = saved as [Tensor2D, Tensor2D];
        return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
      },
    };
  }) as (x: Tensor, w: Tensor) => Tensor;
  const linear = stockGrads
    ? (x: Tensor, w: Tensor, b: Tensor): Tensor => tf.fused.matMul({ a: x as Tensor2D, b: w as Tensor2D, bias: b })
    : denseFast;
  const matMul2d = stockGrads ? (x: Tensor, w: Tensor): Tensor => tf.matMul(x, w) : matMulFast;
  const GELU_C = Math.sqrt(2 / Math.PI);
  const gelu = (x: Tensor): Tensor => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), GELU_C);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  };
  const scale = 1 / Math.sqrt(hs);
  const splitHeads = (t: Tensor): Tensor => tf.transpose(tf.reshape(t, [batch, seq, heads, hs]), [0, 2, 1, 3]);

  const block = (x: Tensor, p: BlockParams): Tensor => {
    const qkv = linear(layerNorm(x, p.ln1g, p.ln1b), p.wqkv, p.bqkv); // [N, 3d]
    const [q, k, v] = tf.split(qkv, 3, 1) as [Tensor, Tensor, Tensor];
    let att = tf.mul(tf.matMul(splitHeads(q), splitHeads(k), false, true), scale); // [B, nh, T, T]
    att = tf.softmax(tf.add(att, mask));
    const y = tf.reshape(tf.transpose(tf.matMul(att, splitHeads(v)), [0, 2, 1, 3]), [N, d]);
    x = tf.add(x, linear(y, p.wo, p.bo));
    const m = linear(gelu(linear(layerNorm(x, p.ln2g, p.ln2b), p.wfc, p.bfc)), p.wproj, p.bproj);
    return tf.add(x, m);
  };

  const lossFn = (): Tensor => {
    const tok = tf.reshape(embed(wte), [batch, seq, d]);
    let x: Tensor = tf.reshape(tf.add(tok, wpe), [N, d]);
    for (const p of blocks) x = block(x, p);
    const logits = matMul2d(layerNorm(x, lnfg, lnfb), wlm); // [N, vocab]
    // No weights: SUM_BY_NONZERO_WEIGHTS reduces to the mean over the N rows.
    return tf.losses.softmaxCrossEntropy(labels, logits);
  };

  const optimizer = tf.train.adam(LR, BETA1, BETA2, EPS);
  const decay = 1 - LR * WEIGHT_DECAY;

  const step = async (): Promise<number> => {
    const lossT = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn as () => Scalar, vars);
      const names = Object.keys(grads);
      const sumSq = tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))));
      const coef = tf.minimum(tf.div(CLIP_NORM, tf.add(tf.sqrt(sumSq), 1e-6)), 1);
      const clipped = names.map((name) => ({ name, tensor: tf.mul(grads[name]!, coef) }));
      for (const v of vars) v.assign(tf.mul(v, decay)); // decoupled weight decay (AdamW)
      optimizer.applyGradients(clipped);
      return value;
    });
    const loss = (await lossT.data())[0]!;
    lossT.dispose();
    return loss;
  };

  const losses: number[] = [];
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) losses.push(await step());
    for (let i = 0; i < opts.steps; i++) {
      const t0 = performance.now();
      losses.push(await step());
      times.push(performance.now() - t0);
    }
  } finally {
    optimizer.dispose();
    for (const v of vars) v.dispose();
    for (const t of constants) t.dispose();
  }

  const stepMsMedian = median(times);
  return {
    peer: 'tfjs-wasm',
    version: wasm.version_wasm,
    tokensPerSec: N / (stepMsMedian / 1000),
    stepMsMedian,
    lossFirst: losses[0]!,
    lossLast: losses[losses.length - 1]!,
    threads: wasm.getThreadsCount(),
  };
}
