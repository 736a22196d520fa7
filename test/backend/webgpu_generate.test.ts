/**
 * Generation resident on a GPU: a model whose parameters live on the WebGPU device decodes with
 * its KV cache there too (session.ts), reading back only each step's last-position logits. Its
 * logits match the CPU's within float32 reordering through prefill, steps and row forks, and the
 * sampled ids equal the CPU's for greedy, TopP and CD-K with CFG. Skips without a WebGPU adapter
 * (fails under CI=true, like webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate } from '../../src/generate/generate.js';
import { textToImagePrompt } from '../../src/generate/prompts.js';
import { DecodeSession } from '../../src/generate/session.js';
import { CM3Leon } from '../../src/model/cm3leon.js';
import { onDevice } from '../../src/tensor/index.js';
import { cfg, randomize, randomModel, vocab } from '../helpers/tiny_generator.js';
import { testDevice } from '../helpers/webgpu_device.js';

const { rt, skip } = await testDevice();

const I = (c: number) => vocab.image(c);
const t2i = textToImagePrompt([7, 8, 9], vocab, { retrieved: [[3, 4, vocab.brk, ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(I)]] });
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
};

test('a GPU-resident session decodes like the CPU (prefill, steps, forks)', { skip }, async () => {
  const host = randomModel(), gpu = randomize(onDevice(rt, () => new CM3Leon(cfg)));
  assert.ok(gpu.parameters().every((p) => p.onDevice), 'the model lives on the GPU');
  const prompts = [t2i.ids, t2i.uncond as number[]];
  const a = await DecodeSession.open(host, prompts, { maxNewTokens: 8, padId: vocab.pad });
  const b = await DecodeSession.open(gpu, prompts, { maxNewTokens: 8, padId: vocab.pad });
  const check = (label: string) => {
    for (let r = 0; r < a.rows; r++) assert.ok(maxAbs(a.logits(r), b.logits(r)) < 2e-4, `${label}: row ${r} differs by ${maxAbs(a.logits(r), b.logits(r))}`);
  };
  check('prefill');
  for (const [j, id] of [I(5), I(0), I(23)].entries()) { await a.step([id, id]); await b.step([id, id]); check(`step ${j}`); }
  a.select([0, 0, 1, 1]); b.select([0, 0, 1, 1]);
  await a.step([I(1), I(2), I(1), I(2)]); await b.step([I(1), I(2), I(1), I(2)]);
  check('after forking');
  b.select([3, 0]); a.select([3, 0]);
  await a.step([I(4), I(4)]); await b.step([I(4), I(4)]);
  check('after reordering and dropping rows');
  await assert.rejects(() => b.step([I(1), 999]), /token id 999 outside the vocabulary \[0, 64\)/);
  await a.step([I(3), I(3)]); await b.step([I(3), I(3)]);
  check('a refused step leaves the cache as it was');
  a.dispose(); b.dispose();
});

test('generate on a GPU-resident model samples the CPU ids (greedy, mix of TopP and CD-K, CFG 3)', { skip }, async () => {
  const host = randomModel(5), gpu = randomize(onDevice(rt, () => new CM3Leon(cfg)), 5);
  for (const opts of [{ vocab, decoder: 'greedy' as const, cfg: 3 }, { vocab, n: 4, decoder: 'mix' as const, cfg: 3, seed: 11 }]) {
    const want = await generate(host, [t2i], opts), got = await generate(gpu, [t2i], opts);
    assert.deepEqual(got[0].map((s) => s.tokens), want[0].map((s) => s.tokens), opts.decoder);
    assert.ok(got[0].every((s) => s.finish === 'complete'));
  }
});
