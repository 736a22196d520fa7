/**
 * web/engine_check.ts — one small end-to-end job of the engine, run where the caller says: on the
 * CPU (rt null) or resident on a WebGPU device — in Node through Dawn, or in a browser through
 * navigator.gpu (web/browser_check.ts). The tiny CM3Leon from a fixed seed takes a few AdamW steps
 * on a fixed batch, then decodes an image greedily with CFG from the KV cache. Two placements
 * must agree: the same losses within float32 reordering and the same ids (test/web/browser.test.ts
 * runs it in headless Chromium and compares with the CPU).
 */
import type { GpuRuntime } from '../backend/webgpu/runtime.js';
import { generate } from '../generate/generate.js';
import { textToImagePrompt } from '../generate/prompts.js';
import { CM3Leon } from '../model/cm3leon.js';
import { resolveCM3LeonConfig } from '../model/cm3leon_presets.js';
import { AdamW } from '../optim/adamw.js';
import { backward, onDevice, Rng, tensor, tidy } from '../tensor/index.js';
import { TINY_VOCAB, Vocab } from '../tokenizer/vocab.js';

export interface EngineCheckResult {
  /** Where it ran (the adapter's description, or "cpu"). */
  device: string;
  /** Whether every parameter lived on the GPU (false on the CPU). */
  resident: boolean;
  /** Training loss before each AdamW step. */
  losses: number[];
  /** Greedy image ids (CFG 3) after training. */
  tokens: number[];
  seconds: number;
}

export const ENGINE_CHECK_STEPS = 6;

export async function engineCheck(rt: GpuRuntime | null): Promise<EngineCheckResult> {
  const t0 = performance.now();
  const vocab = new Vocab(TINY_VOCAB);
  const cfg = resolveCM3LeonConfig('tiny', ['seed=7', 'zeroInitHead=false']);
  const model = onDevice(rt, () => new CM3Leon(cfg));
  const opt = onDevice(rt, () => new AdamW(model.namedParameters(), { lr: 3e-3, weightDecay: 0.01 }));
  const rng = new Rng(1), B = 4, T = 24;
  const seq = Int32Array.from({ length: B * (T + 1) }, () => rng.int(vocab.size));
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) { ids[b * T + t] = seq[b * (T + 1) + t]; targets[b * T + t] = seq[b * (T + 1) + t + 1]; }
  }
  const losses: number[] = [];
  for (let s = 0; s < ENGINE_CHECK_STEPS; s++) {
    const loss = onDevice(rt, () => tidy(() => {
      const l = model.loss(tensor(ids, [B, T], 'i32'), tensor(targets, [B, T], 'i32'));
      backward(l);
      return l;
    }));
    losses.push((await loss.read())[0]);
    loss.dispose();
    onDevice(rt, () => { opt.step(opt.lr); opt.zeroGrad(); });
  }
  const prompt = textToImagePrompt([7, 8, 9], vocab);
  const [[sample]] = await generate(model, [prompt], { vocab, decoder: 'greedy', cfg: 3 });
  const resident = model.parameters().every((p) => p.onDevice);
  return { device: rt ? rt.description : 'cpu', resident, losses, tokens: sample.tokens, seconds: (performance.now() - t0) / 1e3 };
}
