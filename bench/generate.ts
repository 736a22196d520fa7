/**
 * bench/generate.ts — `npm run bench -- generate`: time to one 64-token image (and images/s at
 * batch 4) with CFG 3 (one [cond; uncond] batch), a KV cache and top-p, on the `small` preset with
 * a realistic prompt (2 retrieved documents + caption ≈ 164 tokens), next to PyTorch eager CPU
 * running the same model from the same weights (dev/bench_generate_torch.py) in the same run.
 * Uses the committed model if present, else random weights (speed does not depend on them).
 * `-- generate --device webgpu [--precision f16]` decodes resident on a GPU instead, next to
 * PyTorch eager on CUDA where the machine has it (else on the CPU).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../src/generate/generate.js';
import { textToImagePrompt } from '../src/generate/prompts.js';
import { Generator, type Precision } from '../src/generate/pipeline.js';
import { setDevice } from '../src/backend/index.js';
import { saveCheckpoint } from '../src/io/checkpoint.js';
import { CM3Leon } from '../src/model/cm3leon.js';
import { resolveCM3LeonConfig } from '../src/model/cm3leon_presets.js';
import { Rng } from '../src/tensor/index.js';
import { defaultLmPath } from '../src/tokenizer/defaults.js';
import { Vocab } from '../src/tokenizer/vocab.js';
import { bestTimeAsync, machine, runJsonPeer, table } from './util.js';

export async function runGenerateBench(args: string[]): Promise<void> {
  // --device webgpu [--precision f16]: the LM decodes resident on the GPU (the peer stays PyTorch on the CPU).
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const device = opt('device') ?? 'cpu', precision = (opt('precision') ?? 'f32') as Precision;
  setDevice(device);
  console.log(`# generation benchmark\n\nmachine: ${machine()}\ndevice: ${device}, LM weights ${precision}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bench-gen-'));
  try {
    const committed = existsSync(defaultLmPath());
    let lm: CM3Leon, vocab: Vocab, weights = defaultLmPath();
    if (committed) {
      const l = Generator.loadLm(weights);
      lm = l.lm; vocab = new Vocab(l.vocab);
    } else {
      vocab = new Vocab({ textSize: 4096, imageCodes: 4096, imageTokens: 64, maskSentinels: 16 });
      const cfg = resolveCM3LeonConfig('small', [`vocab=${vocab.size}`]);
      lm = new CM3Leon(cfg);
      const rng = new Rng(3);
      for (const p of lm.parameters()) for (let i = 0; i < p.size; i++) p.host[i] = 0.02 * rng.normal();
      weights = join(dir, 'small.safetensors');
      saveCheckpoint(weights, lm, { config: cfg, metadata: { vocab: JSON.stringify(vocab.config) } });
    }
    if (device === 'webgpu' || precision === 'f16') lm = (await Generator.loadLmResident(weights, precision)).lm;
    console.log(`model: ${committed ? weights : 'small preset, random weights'}\n`);
    const rng = new Rng(1);
    const doc = () => [...Array.from({ length: 10 }, () => rng.int(4096)), vocab.brk, ...Array.from({ length: 64 }, () => vocab.image(rng.int(4096)))];
    const prompt = textToImagePrompt(Array.from({ length: 10 }, () => rng.int(4096)), vocab, { retrieved: [doc(), doc()] });
    const spec = { cond: prompt.ids, uncond: prompt.uncond, codes: [vocab.images.start, vocab.images.end], steps: vocab.imageTokens, n: [1, 4], cfg: 3, reps: 3 };
    writeFileSync(join(dir, 'prompts.json'), JSON.stringify(spec));
    const torch = existsSync('/usr/bin/python3')
      ? runJsonPeer('/usr/bin/python3', ['dev/bench_generate_torch.py', weights, join(dir, 'prompts.json'), device === 'webgpu' ? 'auto' : 'cpu'], { OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' })
      : 'skipped: /usr/bin/python3 missing';
    const rows: (string | number)[][] = [['images per call', 'cm3leon s/call', 'cm3leon image tokens/s', 'PyTorch eager s/call', 'PyTorch tokens/s', 'speed-up']];
    for (const n of [1, 4]) {
      const s = await bestTimeAsync(() => generate(lm, [prompt], { vocab, n, cfg: 3, decoder: 'topp', seed: 1 }), 3);
      const pt = typeof torch === 'string' ? NaN : Number(torch[`seconds_n${n}`]);
      rows.push([n, s.toFixed(3), ((n * vocab.imageTokens) / s).toFixed(0), Number.isNaN(pt) ? String(torch) : pt.toFixed(3),
        Number.isNaN(pt) ? '' : ((n * vocab.imageTokens) / pt).toFixed(0), Number.isNaN(pt) ? '' : `${(pt / s).toFixed(2)}x`]);
    }
    console.log(`prompt: ${prompt.ids.length} tokens (2 retrieved documents + caption), uncond ${prompt.uncond?.length}; CFG 3, top-p 0.9, ${vocab.imageTokens} codes per image\n`);
    console.log(`PyTorch eager ran on: ${typeof torch === 'string' ? '-' : String(torch.device)}\n`);
    console.log(table(rows));
    console.log('\ntarget: one 64-token image < 1 s, >= 2x PyTorch eager');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
