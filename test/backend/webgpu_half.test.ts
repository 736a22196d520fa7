/**
 * f16 weight storage on WebGPU: gemmHalfB (B packed as halves, f32 products and sums; skinny and
 * tiled kernels, split k, batches, offsets in halves) against the reference GEMM over B rounded
 * to f16 on the host; a CM3Leon with f16 Linear weights (useHalfWeights) decodes like a CPU model
 * holding the same rounded weights; training through f16 weights is refused. Skips without a
 * WebGPU adapter (fails under CI=true, like webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refBackend } from '../../src/backend/ref/index.js';
import type { GpuRuntime } from '../../src/backend/webgpu/runtime.js';
import { generate } from '../../src/generate/generate.js';
import { textToImagePrompt } from '../../src/generate/prompts.js';
import { DecodeSession } from '../../src/generate/session.js';
import { CM3Leon } from '../../src/model/cm3leon.js';
import { useHalfWeights } from '../../src/nn/half.js';
import { Linear } from '../../src/nn/layers.js';
import { deviceKernels } from '../../src/tensor/device.js';
import { copyStorage, onDevice, packHalf, Rng, roundHalf, tensor } from '../../src/tensor/index.js';
import { cfg, randomize, randomModel, vocab } from '../helpers/tiny_generator.js';
import { testDevice } from '../helpers/webgpu_device.js';

const { rt, skip } = await testDevice();

function randn(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

interface Case { m: number; n: number; k: number; ta: boolean; tb: boolean; bOff?: number; padB?: number; batch?: number; alpha?: number; beta?: number }

async function runCase(c: Case, seed: number): Promise<void> {
  const g = rt as GpuRuntime, rng = new Rng(seed), { m, n, k, ta, tb } = c;
  const batch = c.batch ?? 1, alpha = c.alpha ?? 1, beta = c.beta ?? 0, bOff = c.bOff ?? 0;
  const lda = ta ? m : k, ldb = (tb ? k : n) + (c.padB ?? 0), ldc = n;
  const sA = (ta ? k : m) * lda, sB = (tb ? n : k) * ldb + 1, sC = m * ldc; // sB odd: batches start mid-word
  const A = randn(rng, batch * sA), B = randn(rng, bOff + batch * sB), C0 = randn(rng, batch * sC);
  const want = Float64Array.from(C0);
  refBackend.gemm(Float64Array.from(A), 0, Float64Array.from(roundHalf(B)), bOff, want, 0, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC);
  const a = g.upload(A), b = g.upload(packHalf(B)), cc = g.upload(C0);
  deviceKernels(g).gemmHalfB(a, 0, b, bOff, cc, 0, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC);
  const got = await g.read(cc);
  let err = 0, ref = 0;
  for (let i = 0; i < want.length; i++) { err += (got[i] - want[i]) ** 2; ref += want[i] ** 2; }
  assert.ok(err / ref < 1e-11, `${JSON.stringify(c)}: NMSE ${(err / ref).toExponential(2)}`);
  for (const x of [a, b, cc]) g.free(x);
}

test('gemmHalfB equals the reference GEMM over f16-rounded B (skinny, tiled, split k, batches, odd offsets)', { skip }, async () => {
  let seed = 1;
  for (const [ta, tb] of [[false, true], [false, false], [true, true], [true, false]] as const) {
    await runCase({ m: 3, n: 70, k: 45, ta, tb, bOff: 1 }, seed++);
    await runCase({ m: 8, n: 300, k: 129, ta, tb, padB: 3, alpha: 0.5, beta: 1 }, seed++);
    await runCase({ m: 37, n: 19, k: 23, ta, tb, bOff: 3, padB: 1 }, seed++);
    await runCase({ m: 5, n: 33, k: 17, ta, tb, batch: 3, bOff: 1, beta: -0.5 }, seed++);
    await runCase({ m: 20, n: 9, k: 12, ta, tb, batch: 2 }, seed++);
  }
  await runCase({ m: 20, n: 40, k: 2048, ta: false, tb: true }, seed++); // split k
});

test('f16 Linear weights: a GPU model decodes like a CPU model with the same weights rounded to f16', { skip }, async () => {
  const host = randomModel(5), gpu = randomize(onDevice(rt, () => new CM3Leon(cfg)), 5);
  for (const m of host.modules()) if (m instanceof Linear) m.weight.host.set(roundHalf(m.weight.host));
  const linears = gpu.modules().filter((m) => m instanceof Linear).length;
  const report = await useHalfWeights(gpu);
  assert.equal(report.matrices, linears);
  assert.ok(report.bytesSaved >= report.elements * 2 - 4 * linears, `${report.bytesSaved} bytes saved`);
  const t2i = textToImagePrompt([7, 8, 9], vocab);
  const a = await DecodeSession.open(host, [t2i.ids, t2i.uncond as number[]], { maxNewTokens: 4, padId: vocab.pad });
  const b = await DecodeSession.open(gpu, [t2i.ids, t2i.uncond as number[]], { maxNewTokens: 4, padId: vocab.pad });
  for (let s = 0; s < 3; s++) {
    for (let r = 0; r < 2; r++) {
      const x = a.logits(r), y = b.logits(r);
      const d = Math.max(...x.map((v, i) => Math.abs(v - y[i])));
      assert.ok(d < 2e-4, `step ${s} row ${r}: ${d}`);
    }
    await a.step([vocab.image(s), vocab.image(s)]); await b.step([vocab.image(s), vocab.image(s)]);
  }
  a.dispose(); b.dispose();
  const opts = { vocab, n: 4, decoder: 'mix' as const, cfg: 3, seed: 2 };
  assert.deepEqual((await generate(gpu, [t2i], opts))[0].map((s) => s.tokens), (await generate(host, [t2i], opts))[0].map((s) => s.tokens));
});

test('f16 weights are inference-only and GPU-only, with errors that say so', { skip }, async () => {
  await assert.rejects(() => useHalfWeights(randomModel()), /GPU storage option: load the model on a WebGPU device first/);
  const gpu = randomize(onDevice(rt, () => new CM3Leon(cfg)));
  // A weight beyond the f16 range: refused by name, and nothing is converted.
  const fc = gpu.blocks[1].fc.weight, saved = await fc.read();
  copyStorage(fc.storage(), Float32Array.from(saved, (x, i) => (i === 5 ? 1e6 : x)));
  await assert.rejects(() => useHalfWeights(gpu), /h\.1\.mlp\.fc\.weight: element 5 \(1000000\) is outside the f16 range/);
  assert.ok(gpu.modules().every((m) => !(m instanceof Linear) || (m.half === null && !m.weight.disposed)), 'the model is untouched');
  copyStorage(fc.storage(), saved);
  await useHalfWeights(gpu);
  const ids = onDevice(rt, () => tensor(Int32Array.of(1, 2, 3), [1, 3], 'i32'));
  assert.throws(() => onDevice(rt, () => gpu.forward(ids)), /f16 weights are for inference/);
});
