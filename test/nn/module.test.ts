/** Module naming/stateDict, layers, checkpoints (atomic, bf16, optimizer state) and config parsing. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseOverrides, preset } from '../../src/config/config.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { SafetensorsError } from '../../src/io/safetensors.js';
import { GPT } from '../../src/model/gpt.js';
import { GPT_PRESETS } from '../../src/model/presets.js';
import { LayerNorm, Linear } from '../../src/nn/layers.js';
import { AdamW } from '../../src/optim/adamw.js';
import { backward, randint, Rng, tensor, tidy } from '../../src/tensor/index.js';

const tiny = { ...GPT_PRESETS.golden, layers: 1, seed: 9 };

test('parameters have dotted names in registration order; layers follow PyTorch shapes', () => {
  const m = new GPT(tiny);
  const names = m.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 6), ['wte.weight', 'wpe.weight', 'h.0.ln1.weight', 'h.0.ln1.bias', 'h.0.attn.qkv.weight', 'h.0.attn.qkv.bias']);
  assert.equal(names[names.length - 1], 'lm_head.weight');
  const lin = new Linear(4, 3, { rng: new Rng(1), bias: false });
  assert.deepEqual(lin.weight.shape, [3, 4]);
  assert.equal(lin.bias, null);
  assert.equal(new LayerNorm(8, { affine: false }).parameters().length, 0, 'CM3Leon LayerNorm has no parameters');
  assert.deepEqual(new Linear(2, 2, { rng: new Rng(1), zeroInit: true }).weight.toArray(), [0, 0, 0, 0]);
});

test('loadStateDict is strict about names and shapes', () => {
  const m = new GPT(tiny);
  const state = m.stateDict();
  state.delete('wte.weight');
  assert.throws(() => m.loadStateDict(state), /missing \[wte.weight\]/);
  const bad = new GPT(tiny).stateDict();
  bad.set('wpe.weight', tensor(new Float32Array(4), [2, 2]));
  assert.throws(() => m.loadStateDict(bad), /wpe.weight has shape \[2, 2\]/);
});

test('checkpoint round trip restores parameters and optimizer state; bf16 halves the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-ckpt-'));
  try {
    const m = new GPT(tiny), opt = new AdamW(m.namedParameters(), { lr: 1e-2 });
    const rng = new Rng(2), ids = randint([2, 16], 97, rng), tgt = randint([2, 16], 97, rng);
    tidy(() => { backward(m.loss(ids, tgt)); });
    opt.step();
    const path = join(dir, 'm.safetensors');
    saveCheckpoint(path, m, { optimizer: opt, config: m.config, step: 1 });
    assert.deepEqual(readdirSync(dir), ['m.safetensors'], 'no temp files left behind');
    const m2 = new GPT({ ...tiny, seed: 99 }), opt2 = new AdamW(m2.namedParameters(), { lr: 1e-2 });
    const info = loadCheckpoint(path, m2, opt2);
    assert.equal(info.step, 1);
    assert.deepEqual(info.config, JSON.parse(JSON.stringify(m.config)));
    assert.deepEqual(m2.parameters()[0].toArray(), m.parameters()[0].toArray());
    assert.equal(opt2.stepCount, 1);
    assert.deepEqual(opt2.stateTensors().get('wte.weight.m')!.toArray(), opt.stateTensors().get('wte.weight.m')!.toArray());
    const full = join(dir, 'f.safetensors'), half = join(dir, 'h.safetensors');
    saveCheckpoint(full, m);
    saveCheckpoint(half, m, { dtype: 'bf16' });
    assert.ok(readFileSync(half).length < 0.52 * readFileSync(full).length, 'bf16 file is about half the f32 one');
    const m3 = new GPT(tiny);
    loadCheckpoint(half, m3);
    const a = m.parameters()[0].toArray(), b = m3.parameters()[0].toArray();
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) <= Math.abs(v) / 128 + 1e-30), 'bf16 keeps 8 bits of mantissa');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated or foreign checkpoint is rejected with a clear error and nothing is loaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-ckpt-'));
  try {
    const m = new GPT(tiny), path = join(dir, 'm.safetensors');
    saveCheckpoint(path, m);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 't.safetensors'), bytes.subarray(0, bytes.length - 100));
    const fresh = new GPT({ ...tiny, seed: 5 }), before = fresh.parameters()[0].toArray();
    assert.throws(() => loadCheckpoint(join(dir, 't.safetensors'), fresh), (e: unknown) => e instanceof SafetensorsError && /truncated/.test((e as Error).message));
    assert.deepEqual(fresh.parameters()[0].toArray(), before);
    assert.throws(() => loadCheckpoint(join(dir, 'nope.safetensors'), fresh), /ENOENT/);
    assert.throws(() => loadCheckpoint(path, fresh, new AdamW(fresh.namedParameters())), /no optimizer state/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config overrides are typed; unknown keys and bad values are rejected with the valid keys', () => {
  const base = { layers: 2, name: 'x', bias: true };
  assert.deepEqual(parseOverrides(base, ['layers=4', 'bias=false', 'name=y']), { layers: 4, name: 'y', bias: false });
  assert.throws(() => parseOverrides(base, ['depth=3']), (e: unknown) => e instanceof ConfigError && /valid keys: layers, name, bias/.test((e as Error).message));
  assert.throws(() => parseOverrides(base, ['layers=two']), /needs a number/);
  assert.throws(() => parseOverrides(base, ['bias=yes']), /true or false/);
  assert.throws(() => parseOverrides(base, ['layers']), /key=value/);
  assert.throws(() => preset(GPT_PRESETS, 'huge'), /choose one of: golden, demo, bench/);
});
