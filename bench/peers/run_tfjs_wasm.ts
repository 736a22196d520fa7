/**
 * Manual runner for the TensorFlow.js (wasm backend) training-step peer.
 *
 *   node dist/bench/peers/run_tfjs_wasm.js --layers 4 --d 256 --heads 4 \
 *     --seq 256 --batch 8 --vocab 4096 --steps 3 --warmup 1 [--threads N] [--stock-grads]
 *
 * --stock-grads keeps tfjs's own MatMul gradients for the dense layers (the
 * transposed-MatMul slow path on this backend) instead of the peer's
 * hand-written backward with explicit transposes.
 *
 * Prints the result as one line of JSON on stdout.
 */

import { tfjsWasmTrainStep, type StepConfig } from './tfjs_wasm.js';

function parseArgs(argv: string[]): {
  cfg: StepConfig;
  steps: number;
  warmup: number;
  threads?: number;
  stockGrads: boolean;
} {
  const v: Record<string, number> = {
    layers: 4, d: 256, heads: 4, seq: 256, batch: 8, vocab: 4096, steps: 3, warmup: 1,
  };
  let threads: number | undefined;
  let stockGrads = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: run_tfjs_wasm [--layers N] [--d N] [--heads N] [--seq N] [--batch N] [--vocab N] [--steps N] [--warmup N] [--threads N] [--stock-grads]\n',
      );
      process.exit(0);
    }
    if (a === '--stock-grads') {
      stockGrads = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument: ${a}`);
    const key = m[1]!;
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`missing value for --${key}`);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} expects a non-negative integer, got ${raw}`);
    if (key === 'threads') threads = n;
    else if (key in v) v[key] = n;
    else throw new Error(`unknown option --${key}`);
  }
  const cfg: StepConfig = {
    layers: v.layers!, d: v.d!, heads: v.heads!, seq: v.seq!, batch: v.batch!, vocab: v.vocab!,
  };
  return { cfg, steps: v.steps!, warmup: v.warmup!, threads, stockGrads };
}

async function main(): Promise<void> {
  const { cfg, steps, warmup, threads, stockGrads } = parseArgs(process.argv.slice(2));
  const res = await tfjsWasmTrainStep(cfg, { steps, warmup, threads, stockGrads });
  process.stdout.write(JSON.stringify({ ...res, peakRssMb: process.resourceUsage().maxRSS / 1024, config: cfg, steps, warmup, stockGrads }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`run_tfjs_wasm: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
