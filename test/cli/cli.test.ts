/** The CLI end to end: help, errors with exit code 2, and a short demo run that writes a checkpoint. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../src/io/safetensors.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 120_000 });

test('--help explains the commands', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /demo/);
  assert.match(r.stdout, /--backend/);
});

test('bad input exits 2 with a message', () => {
  for (const [args, msg] of [[['frobnicate'], /unknown command/], [['demo', '--steps', 'x'], /--steps must be a whole number/],
    [['demo', '--set', 'depth=3'], /unknown model key "depth"/], [['demo', '--text', '/no/such/file'], /does not exist/],
    [['--bogus'], /Unknown option/], [['info', '--device', 'tpu'], /unknown device "tpu" \(choose cpu or webgpu\)/]] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});

test('demo trains, lowers the loss and writes a loadable checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-cli-'));
  try {
    const text = join(dir, 'text.txt'), out = join(dir, 'ck', 'model.safetensors');
    writeFileSync(text, 'the quick brown fox jumps over the lazy dog. '.repeat(40));
    const r = run('demo', '--text', text, '--steps', '40', '--batch', '4', '--set', 'layers=1', '--set', 'seq=32',
      '--set', 'dModel=32', '--set', 'mlpHidden=64', '--out', out, '--sample', '20');
    assert.equal(r.status, 0, r.stderr);
    const m = /loss ([\d.]+) -> ([\d.]+)/.exec(r.stdout);
    assert.ok(m && Number(m[2]) < Number(m[1]) - 1, r.stdout);
    assert.ok(existsSync(out));
    assert.equal(readSafetensors(out).metadata.format, 'cm3leon-checkpoint-v1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
