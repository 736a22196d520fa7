/**
 * cli/export.ts — `cm3leon export IN OUT [--bf16]`: a release copy of a training checkpoint
 * (parameters + config, no optimizer state), e.g. for committing the default models.
 */
import { parseArgs } from 'node:util';
import { exportWeights } from '../io/checkpoint.js';

export const EXPORT_HELP = `cm3leon export — release weights from a training checkpoint

Usage:
  npx cm3leon export IN.safetensors OUT.safetensors [--bf16]

Drops the AdamW state (2/3 of a training checkpoint), keeps the config and step metadata;
--bf16 stores f32 parameters as bfloat16 (half the size; loading converts back to f32).`;

export function runExport(argv: string[]): void {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' }, bf16: { type: 'boolean' } } });
  } catch (e) {
    process.stderr.write(`cm3leon export: ${(e as Error).message}\n\n${EXPORT_HELP}\n`);
    process.exit(2);
  }
  const { values: v, positionals: p } = parsed;
  if (v.help || p.length !== 2) {
    process.stdout.write(`${EXPORT_HELP}\n`);
    if (!v.help) process.exitCode = 2;
    return;
  }
  try {
    const r = exportWeights(p[0], p[1], v.bf16 ? 'bf16' : 'f32');
    process.stdout.write(`${p[1]}: ${r.tensors} tensors, ${(r.bytes / 2 ** 20).toFixed(1)} MiB\n`);
  } catch (e) {
    process.stderr.write(`cm3leon export: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
