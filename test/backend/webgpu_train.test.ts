/**
 * The tiny CM3Leon pretraining run (CM3 objective, retrieval-augmented rows, AdamW, clipping) on
 * the WebGPU kernels gives the CPU's loss curve: 12 steps on each device, same seed, losses equal
 * within float32 reordering (the kernels sum in different orders; nothing else may differ). Twice:
 * through the per-op facade (CM3LEON_BACKEND=webgpu) and with the model, optimizer state and every
 * step resident on the device (trainLm device 'webgpu', what `train --device webgpu` runs); the
 * resident run's checkpoint, read back from the device, resumes on the CPU.
 * Skips without a WebGPU adapter (fails under CI=true, like webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getBackend, getBackendByName, setBackend } from '../../src/backend/index.js';
import { tryLoadNative } from '../../src/backend/native/binding.js';
import { lmDataConfig } from '../../src/lm/batches.js';
import { NonFiniteLossError, trainLm } from '../../src/lm/train.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { Vocab } from '../../src/tokenizer/vocab.js';
import { topicCorpus } from '../helpers/lm_corpus.js';
import { shapePairs } from '../helpers/shape_pairs.js';
import { RETRIEVER_PRESETS } from '../../src/retrieval/clip.js';
import { trainRetriever } from '../../src/retrieval/train.js';
import { IMAGE_TOKENIZER_PRESETS } from '../../src/tokenizer/image/config.js';
import { trainImageTokenizer } from '../../src/tokenizer/image/train.js';
import { TextTokenizer, trainTextBpe } from '../../src/tokenizer/text/index.js';

let why = '';
try {
  getBackendByName('webgpu');
} catch (e) {
  why = (e as Error).message;
  if (process.env.CM3LEON_REQUIRE_WEBGPU === '1' || process.env.CI === 'true') throw e;
}

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-webgpu-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  if (!why) (getBackendByName('webgpu') as { close?: () => void }).close?.();
});

type Log = Record<string, number>[];

/** The webgpu run's log equals the cpu run's at `keys`, within tol relative (floor 1); prints the largest difference. */
function compareLogs(cpu: Log, gpu: Log, keys: readonly string[], tol: number, what: string): void {
  assert.equal(gpu.length, cpu.length, what);
  let worst = 0;
  cpu.forEach((c, i) => {
    for (const k of keys) {
      if (c[k] === undefined) continue;
      const d = Math.abs(gpu[i][k] - c[k]), scale = Math.max(1, Math.abs(c[k]));
      worst = Math.max(worst, d / scale);
      assert.ok(d <= tol * scale, `${what} step ${c.step} ${k}: webgpu ${gpu[i][k]} vs cpu ${c[k]}`);
    }
  });
  console.log(`# largest relative difference ${what} vs cpu over ${cpu.length} steps: ${worst.toExponential(2)}`);
}

test('tiny pretraining: the same loss curve on cpu and webgpu (per-op facade and resident)', { skip: why ? `no WebGPU adapter: ${why}` : false }, async () => {
  const vocab = new Vocab({ textSize: 40, imageCodes: 16, imageTokens: 4, maskSentinels: 4 });
  const train = topicCorpus(120, 1), heldout = topicCorpus(24, 2, train);
  const cpuName = tryLoadNative() ? 'native' : 'ref';
  const run = async (name: string, backend: 'native' | 'ref' | 'webgpu', device: 'cpu' | 'webgpu', more: { stopAfter?: number; resume?: boolean } = {}) => {
    const out = join(dir, name);
    const prev = getBackend();
    setBackend(backend);
    try {
      await trainLm({
        model: resolveCM3LeonConfig('tiny', [`vocab=${vocab.size}`, 'contextLength=48']), data: lmDataConfig({ contextLength: 48 }),
        vocab, corpus: train, evalCorpus: heldout, out, steps: 12, batch: 4, accumulate: 2, lr: 3e-3, warmup: 4, minLrRatio: 0.1,
        weightDecay: 0.1, clip: 1, evalEvery: 6, evalDocs: 24, seed: 5, device, ...more,
      });
    } finally {
      setBackend(prev.name as 'native' | 'ref' | 'webgpu');
    }
    return readFileSync(join(out, 'train_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  };
  const cpu = await run('cpu', cpuName, 'cpu'), facade = await run('facade', 'webgpu', 'cpu'), resident = await run('resident', cpuName, 'webgpu');
  const compare = (gpu: Log, what: string) => compareLogs(cpu, gpu, ['loss', 'grad_norm', 'eval_text', 'eval_image'], 1e-4, what);
  compare(facade, 'webgpu facade');
  compare(resident, 'webgpu resident');
  assert.ok(cpu[cpu.length - 1].loss < cpu[0].loss, 'the run learns');
  // 6 steps resident, then resume from its checkpoint on the CPU: the same curve.
  await run('handoff', cpuName, 'webgpu', { stopAfter: 6 });
  compare(await run('handoff', cpuName, 'cpu', { resume: true }), 'resident 6 steps + cpu resume');
  // A NaN loss on the device stops before the update and leaves the last checkpoint as it was.
  const ckpt = join(dir, 'handoff', 'model.safetensors'), f = readSafetensors(ckpt);
  (f.tensors.get('wte.weight')!.data as Float32Array).fill(Number.NaN);
  writeSafetensors(ckpt, f.tensors, { ...f.metadata, step: '6' });
  const before = readFileSync(ckpt);
  await assert.rejects(() => run('handoff', cpuName, 'webgpu', { resume: true }),
    (e: Error) => e instanceof NonFiniteLossError && /loss is NaN at step 7.*last good checkpoint \(step 6\)/.test(e.message));
  assert.deepEqual(readFileSync(ckpt), before);
});

test('tiny retriever training (sibling batches, multi-positive loss): the same losses, accuracies and recall on cpu and resident on webgpu', { skip: why ? `no WebGPU adapter: ${why}` : false }, async () => {
  const tiny = RETRIEVER_PRESETS.tiny, train = shapePairs(200, 1), heldout = shapePairs(40, 2);
  const text = TextTokenizer.fromJson(trainTextBpe([...train, ...heldout].flatMap((p) => p.captions).concat('x y z'), { vocabSize: tiny.textVocab }));
  const run = async (device: 'cpu' | 'webgpu') => {
    const rows: Log = [];
    await trainRetriever({ config: tiny, text, train, eval: heldout, out: join(dir, `retr-${device}`), steps: 12, batch: 16, lr: 3e-3, evalEvery: 6, siblings: 3, device, onLog: (r) => rows.push(r) });
    return rows;
  };
  const cpu = await run('cpu'), gpu = await run('webgpu');
  compareLogs(cpu, gpu, ['loss', 't2i_r10', 'i2t_r10'], 1e-4, 'retriever');
  // In-batch accuracy is an argmax: a near-tie may flip one row.
  cpu.forEach((c, i) => assert.ok(Math.abs(gpu[i].batch_acc - c.batch_acc) <= 1 / 16, `step ${c.step} accuracy ${gpu[i].batch_acc} vs ${c.batch_acc}`));
});

test('tiny image-tokenizer training (VQ, dead-code restarts): the same losses and eval on cpu and resident on webgpu', { skip: why ? `no WebGPU adapter: ${why}` : false }, async () => {
  const tiny = IMAGE_TOKENIZER_PRESETS.tiny, train = shapePairs(64, 3).map((p) => p.image), evalSet = shapePairs(16, 4).map((p) => p.image);
  const run = async (device: 'cpu' | 'webgpu') => {
    const rows: Log = [];
    await trainImageTokenizer({ config: tiny, train, eval: evalSet, out: join(dir, `vq-${device}`), steps: 12, batch: 8, lr: 3e-3, evalEvery: 6, restartEvery: 4, device, onLog: (r) => rows.push(r) });
    return rows;
  };
  const cpu = await run('cpu'), gpu = await run('webgpu');
  compareLogs(cpu, gpu, ['loss', 'recon', 'eval_psnr'], 1e-3, 'image tokenizer');
  // Codebook usage counts codes: a near-tie in the nearest-code search may flip one or two.
  cpu.forEach((c, i) => {
    if (c.eval_usage !== undefined) assert.ok(Math.abs(gpu[i].eval_usage - c.eval_usage) <= 2 / tiny.codebookSize, `step ${c.step} usage ${gpu[i].eval_usage} vs ${c.eval_usage}`);
  });
});
