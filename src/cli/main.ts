#!/usr/bin/env node
/**
 * cli/main.ts — `npx cm3leon <command>`: the command-line face of the library. Commands only
 * parse arguments and call library functions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getBackend, setBackend, setDevice, type BackendName } from '../backend/index.js';
import { projectRoot, tryLoadNative } from '../backend/native/binding.js';
import { ConfigError, resolvePreset } from '../config/config.js';
import type { GPTConfig } from '../model/gpt.js';
import { GPT_PRESETS } from '../model/presets.js';
import { runBank } from './bank.js';
import { runData } from './data.js';
import { runEval } from './eval.js';
import { runExport } from './export.js';
import { runGenerate } from './generate.js';
import { runDemo } from './demo.js';
import { runRetriever } from './retriever.js';
import { runTokenizer } from './tokenizer.js';
import { runTrain } from './train.js';
import { runWebCheck } from './web.js';

const HELP = `cm3leon — CM3Leon (retrieval-augmented, token-based multimodal LM) in TypeScript

Usage: npx cm3leon <command> [options]

Commands:
  generate  Text -> images with the default model (also caption, infill, infill-text; see
            \`npx cm3leon generate --help\`).
  demo      Train a small byte-level GPT on a text file with the engine, save a
            safetensors checkpoint and print a sample (the quick-start job).
  data      Build / inspect image–text datasets (\`npx cm3leon data --help\`).
  tokenizer Train/use the text BPE and the VQ image tokenizer (\`npx cm3leon tokenizer --help\`).
  retriever Train/evaluate the CLIP-style retriever (\`npx cm3leon retriever --help\`).
  bank      Build / extend / search the retrieval memory bank (\`npx cm3leon bank --help\`).
  train     Retrieval-augmented CM3 pretraining of CM3Leon (\`npx cm3leon train --help\`).
  eval      Evaluate text->image (KID/FID/CLIP score ablations) and captioning (\`npx cm3leon eval --help\`).
  export    Release weights (no optimizer state, optional bf16) from a training checkpoint.
  web-check The engine on WebGPU in a browser: serve the page, or run it headless and compare
            with the CPU (\`npx cm3leon web-check --help\`).
  info      Show the compute backend, threads and BLAS in use.
  help      Show this help.

Options for demo:
  --text FILE        training text (default: this package's README.md)
  --steps N          training steps (default 300)
  --batch N          sequences per step (default 8)
  --lr X             peak learning rate (default 0.003)
  --preset NAME      model preset: ${Object.keys(GPT_PRESETS).join(', ')} (default demo)
  --set key=value    override a model config key (repeatable), e.g. --set layers=2
  --out FILE         checkpoint path (default runs/demo/model.safetensors)
  --sample N         bytes to sample after training (default 200)
  --seed N           data/sampling seed (default 1)

Global options:
  --device NAME      cpu (default) or webgpu (the WGSL kernels through Dawn: a GPU, or Mesa's
                     llvmpipe without one). The trainers (\`train\`, \`retriever train\`,
                     \`tokenizer train-image\`) keep the model and every step on the GPU;
                     \`generate\`, \`caption\`, \`infill\` and \`eval\` keep the LM and its KV
                     cache there (tokenizers and retrieval run on the CPU); other commands copy
                     each op's operands to the device and back (a correctness path)
  --backend NAME     (demo, info) native (C++/OpenBLAS, default when built), ref (plain
                     TypeScript) or webgpu
  -h, --help         show help

Environment: CM3LEON_THREADS (native threads, default = cores), CM3LEON_BACKEND, CM3LEON_DEVICE.
Tests: npm test. Benchmarks: npm run bench -- engine.`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon: ${msg}\n`);
  process.exit(2);
}

function num(v: string | undefined, name: string, def: number, min = 1, integer = true): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    fail(`--${name} must be ${integer ? 'a whole number' : 'a number'} >= ${min}, got "${v}"`);
  }
  return n;
}

/** Removes a global `--device cpu|webgpu` (any position) and selects that device. */
function takeDevice(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let dev: string | undefined;
    if (a === '--device') dev = argv[++i] ?? fail('--device needs cpu or webgpu');
    else if (a.startsWith('--device=')) dev = a.slice(9);
    else { out.push(a); continue; }
    try {
      setDevice(dev);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  return out;
}

export async function main(argvIn: string[]): Promise<void> {
  const argv = takeDevice(argvIn);
  if (argv[0] === 'data') return runData(argv.slice(1));
  if (argv[0] === 'tokenizer') return runTokenizer(argv.slice(1));
  if (argv[0] === 'retriever') return runRetriever(argv.slice(1));
  if (argv[0] === 'train') return runTrain(argv.slice(1));
  if (argv[0] === 'bank') return runBank(argv.slice(1));
  if (argv[0] === 'export') return runExport(argv.slice(1));
  if (argv[0] === 'eval') return runEval(argv.slice(1));
  if (argv[0] === 'web-check') return runWebCheck(argv.slice(1));
  if (['generate', 'caption', 'infill', 'infill-text'].includes(argv[0])) return runGenerate(argv[0], argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        help: { type: 'boolean', short: 'h' }, backend: { type: 'string' }, text: { type: 'string' },
        steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, preset: { type: 'string' },
        set: { type: 'string', multiple: true }, out: { type: 'string' }, sample: { type: 'string' }, seed: { type: 'string' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\nRun \`npx cm3leon --help\` for usage.`);
  }
  const { values: v, positionals } = parsed;
  const cmd = positionals[0] ?? 'help';
  if (v.help || cmd === 'help') { process.stdout.write(`${HELP}\n`); return; }
  if (v.backend) {
    if (!['native', 'ref', 'webgpu'].includes(v.backend)) fail(`--backend must be native, ref or webgpu, got "${v.backend}"`);
    setBackend(v.backend as BackendName);
  }
  if (cmd === 'info') {
    const native = tryLoadNative();
    const be = getBackend() as { name: string; description?: string };
    process.stdout.write(`backend: ${be.name}${be.description ? ` (${be.description})` : ''}\n` +
      `native addon: ${native ? `loaded, ${native.getThreads()} threads` : 'not built'}\n` +
      (native ? `BLAS: ${native.blasConfig()} (one thread per pool thread)\n` : ''));
    return;
  }
  if (cmd === 'demo') {
    let model: GPTConfig;
    try {
      model = resolvePreset(GPT_PRESETS, v.preset ?? 'demo', v.set ?? [], 'model');
    } catch (e) {
      if (e instanceof ConfigError) fail(e.message);
      throw e;
    }
    const text = v.text ?? join(projectRoot(), 'README.md');
    if (!existsSync(text)) fail(`--text: ${text} does not exist`);
    const r = runDemo({
      text, model, steps: num(v.steps, 'steps', 300), batch: num(v.batch, 'batch', 8), lr: num(v.lr, 'lr', 3e-3, 0, false),
      out: v.out ?? 'runs/demo/model.safetensors', sample: num(v.sample, 'sample', 200, 0), seed: num(v.seed, 'seed', 1, 0),
    });
    process.stdout.write(`loss ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}, ${Math.round(r.tokensPerSec)} tokens/s\n` +
      `checkpoint: ${v.out ?? 'runs/demo/model.safetensors'}\nsample:\n${r.sample}\n`);
    return;
  }
  fail(`unknown command "${cmd}". Run \`npx cm3leon --help\`.`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`cm3leon: ${e.message}\n`);
  process.exit(1);
});
