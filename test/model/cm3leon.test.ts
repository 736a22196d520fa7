/**
 * CM3Leon decoder: KV-cache decoding equals the full forward (prefill + steps, batch 1 and 2,
 * left padding, forked rows), the paper's init, weighted / per-token losses, overfitting one
 * batch, config validation and parameter counts of every preset.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBackend, type BackendName } from '../../src/backend/index.js';
import { ConfigError } from '../../src/config/config.js';
import { CM3Leon, type KVCache } from '../../src/model/cm3leon.js';
import { cm3leonParamCount } from '../../src/model/cm3leon_config.js';
import { CM3LEON_PRESETS, presetParamCount, resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { AdamW } from '../../src/optim/adamw.js';
import { backward, noGrad, Rng, tapeLength, tensor, tidy, type Tensor } from '../../src/tensor/index.js';

const tinyCfg = resolveCM3LeonConfig('tiny', ['seed=7']);
const V = tinyCfg.vocab;

/** A tiny model with every parameter random (the paper init is mostly zero, which would hide bugs). */
function randomModel(seed = 3): CM3Leon {
  const m = new CM3Leon(tinyCfg), rng = new Rng(seed);
  for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.host[i] = 0.25 * rng.normal();
  return m;
}

function randomIds(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.int(V));
}

/** max |a - b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / (den || 1);
}

const ids2d = (rows: number[][]) => tensor(rows.flat(), [rows.length, rows[0].length], 'i32');
/** Logits (T, V) of one unpadded sequence by the full forward. */
const fullLogits = (m: CM3Leon, seq: number[]) => noGrad(() => m.forward(ids2d([seq])).toArray());
/** Row b, step j of (B, t, V) logits. */
const at = (logits: Tensor, b: number, j: number) => {
  const [, t, v] = logits.shape, f = logits.flat();
  return f.subarray((b * t + j) * v, (b * t + j + 1) * v);
};

/** Feed `steps` columns one at a time, checking row b step j against want[b] at position pos(b) + j. */
function stepAndCheck(m: CM3Leon, cache: KVCache, seqs: number[][], from: number, want: number[][], label: string): void {
  for (let j = from; j < seqs[0].length; j++) {
    const logits = m.forwardCached(ids2d(seqs.map((s) => [s[j]])), cache);
    seqs.forEach((_, b) => {
      const pos = cache.positions[b] - 1, err = relErr(at(logits, b, 0), want[b].slice(pos * V, (pos + 1) * V));
      assert.ok(err < 1e-4, `${label}: row ${b} step ${j} rel err ${err.toExponential(2)}`);
    });
  }
}

for (const backend of ['native', 'ref'] as BackendName[]) {
  test(`KV-cache decoding equals the full forward, batch 1 and 2 (${backend})`, () => withBackend(backend, () => {
    const m = randomModel(), rng = new Rng(11), T = 20, prefill = 7;
    for (const B of [1, 2]) {
      const seqs = Array.from({ length: B }, () => randomIds(rng, T));
      const want = seqs.map((s) => fullLogits(m, s));
      const cache = m.createCache(B);
      const tape = tapeLength();
      const pre = m.forwardCached(ids2d(seqs.map((s) => s.slice(0, prefill))), cache);
      assert.deepEqual(pre.shape, [B, prefill, V]);
      assert.equal(pre.requiresGrad, false);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < prefill; j++) assert.ok(relErr(at(pre, b, j), want[b].slice(j * V, (j + 1) * V)) < 1e-4, `prefill b${b} j${j}`);
      }
      // lastOnly: the same last-position logits from a second cache, shape (B, 1, V).
      const c2 = m.createCache(B);
      const last = m.forwardCached(ids2d(seqs.map((s) => s.slice(0, prefill))), c2, { lastOnly: true });
      assert.deepEqual(last.shape, [B, 1, V]);
      for (let b = 0; b < B; b++) assert.ok(relErr(at(last, b, 0), at(pre, b, prefill - 1)) < 1e-6, `lastOnly b${b}`);
      c2.dispose();
      stepAndCheck(m, cache, seqs, prefill, want, `B=${B}`);
      assert.equal(cache.length, T);
      assert.equal(tapeLength(), tape, 'forwardCached records nothing');
      cache.dispose();
    }
  }));

  test(`left-padded rows and forked rows decode as if alone (${backend})`, () => withBackend(backend, () => {
    const m = randomModel(5), rng = new Rng(12);
    // [cond; uncond] prompts of lengths 9 and 5 as one batch: row 1 is left-padded by 4.
    const cond = randomIds(rng, 15), uncond = randomIds(rng, 11);
    const want = [fullLogits(m, cond), fullLogits(m, uncond)];
    const cache = m.createCache(2);
    const prompt = [cond.slice(0, 9), [0, 0, 0, 0, ...uncond.slice(0, 5)]];
    const mask = [...new Array<number>(9).fill(1), 0, 0, 0, 0, ...new Array<number>(5).fill(1)];
    const pre = m.forwardCached(ids2d(prompt), cache, { tokenMask: mask });
    assert.ok(relErr(at(pre, 0, 8), want[0].slice(8 * V, 9 * V)) < 1e-4);
    assert.ok(relErr(at(pre, 1, 8), want[1].slice(4 * V, 5 * V)) < 1e-4);
    assert.deepEqual([...cache.positions], [9, 5]);
    stepAndCheck(m, cache, [cond, [0, 0, 0, 0, ...uncond]], 9, want, 'padded');

    // Fork: prefill one prompt, select([0, 0, 0]) and continue three ways; reorder with select([2, 0]).
    const base = m.createCache(1), prefix = randomIds(rng, 6);
    m.forwardCached(ids2d([prefix]), base);
    const seqs = [0, 1, 2].map(() => [...prefix, ...randomIds(rng, 5)]);
    const forked = base.select([0, 0, 0]);
    stepAndCheck(m, forked, seqs.map((s) => s.slice(0, 8)), 6, seqs.map((s) => fullLogits(m, s)), 'fork');
    const swapped = forked.select([2, 0]);
    const wantSwap = [seqs[2], seqs[0]];
    stepAndCheck(m, swapped, wantSwap, 8, wantSwap.map((s) => fullLogits(m, s)), 'reorder');
    for (const c of [cache, base, forked, swapped]) c.dispose();
    assert.throws(() => base.select([0]), /disposed/);
  }));
}

test('forwardCached refuses to pass the context length or the cache capacity', () => {
  const m = randomModel(), ctx = tinyCfg.contextLength, full = new Array<number>(ctx).fill(1);
  const c1 = m.createCache(1);
  m.forwardCached(ids2d([full]), c1);
  assert.throws(() => m.forwardCached(ids2d([[1]]), c1), /capacity 64/);
  const c2 = m.createCache(1, ctx + 4);
  m.forwardCached(ids2d([full]), c2);
  assert.throws(() => m.forwardCached(ids2d([[1]]), c2), /past the context length 64/);
  assert.equal(c2.length, ctx, 'a refused call leaves the cache as it was');
  assert.throws(() => m.forwardCached(ids2d([[1], [2]]), c2), /2 rows, the cache 1/);
  assert.throws(() => m.forward(ids2d([[V]])), /outside the vocabulary/);
});

test('init follows the paper: no biases, parameter-free LayerNorm, zero output layers, 2e-4 positions', () => {
  const m = new CM3Leon(tinyCfg), names = m.namedParameters().map(([n]) => n);
  const perBlock = ['attn.qkv.weight', 'attn.proj.weight', 'mlp.fc.weight', 'mlp.proj.weight'];
  assert.deepEqual(names, ['wte.weight', 'wpe.weight', ...[0, 1].flatMap((i) => perBlock.map((n) => `h.${i}.${n}`)), 'lm_head.weight']);
  for (const ln of [m.lnF, ...m.blocks.flatMap((b) => [b.ln1, b.ln2])]) assert.equal(ln.parameters().length, 0);
  for (const [n, p] of m.namedParameters()) {
    const v = p.toArray(), std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    if (/proj\.weight$|lm_head/.test(n)) { assert.ok(v.every((x) => x === 0), `${n} starts at zero`); continue; }
    const want = n === 'wpe.weight' ? 2e-4 : 0.006;
    assert.ok(v.every((x) => Math.abs(x) <= 3 * want * (1 + 1e-6)), `${n} truncated at 3 sigma`);
    // A normal truncated at ±3σ has std 0.9866σ.
    assert.ok(Math.abs(std / (0.9866 * want) - 1) < 0.1, `${n} std ${std.toExponential(3)}`);
  }
  const ids = ids2d([[1, 2, 3, 4]]), targets = ids2d([[2, 3, 4, 5]]);
  assert.ok(Math.abs(noGrad(() => m.loss(ids, targets).item()) - Math.log(V)) < 1e-6, 'uniform initial logits');
});

test('weighted loss is the weighted subset mean of per-token losses', () => {
  const m = randomModel(), rng = new Rng(4), B = 2, T = 12;
  const ids = ids2d([randomIds(rng, T), randomIds(rng, T)]);
  const tg = randomIds(rng, B * T);
  tg[3] = -100;
  const targets = tensor(tg, [B, T], 'i32');
  const nll = m.tokenLosses(ids, targets);
  assert.ok(Number.isNaN(nll[3]));
  const mean = (w: number[]) => {
    let s = 0, d = 0;
    w.forEach((x, i) => { if (tg[i] !== -100) { s += x * nll[i]; d += x; } });
    return s / d;
  };
  const image = tg.map((t) => (t >= V / 2 ? 1 : 0)), text = tg.map((t) => (t >= 0 && t < V / 2 ? 1 : 0));
  const soft = tg.map((_, i) => (i % 3) * 0.5);
  for (const [name, w] of [['all', tg.map(() => 1)], ['image', image], ['text', text], ['soft', soft]] as const) {
    const got = noGrad(() => m.loss(ids, targets, tensor(w, [B, T])).item());
    assert.ok(Math.abs(got - mean(w)) < 1e-4 * Math.abs(mean(w)), `${name}: ${got} vs ${mean(w)}`);
  }
  assert.ok(Math.abs(noGrad(() => m.loss(ids, targets).item()) - mean(tg.map(() => 1))) < 1e-4);
});

test('overfits one tiny batch with AdamW in 30 steps (from the paper init)', () => {
  const m = new CM3Leon(tinyCfg), rng = new Rng(9);
  const seqs = [randomIds(rng, 17), randomIds(rng, 17)];
  const ids = ids2d(seqs.map((s) => s.slice(0, 16))), targets = ids2d(seqs.map((s) => s.slice(1)));
  const opt = new AdamW(m.namedParameters(), { lr: 1e-2, betas: [0.9, 0.95], weightDecay: 0 });
  const losses: number[] = [];
  for (let s = 0; s < 30; s++) {
    losses.push(tidy(() => { const l = m.loss(ids, targets); backward(l); return l.item(); }));
    opt.step();
    opt.zeroGrad();
  }
  assert.ok(Math.abs(losses[0] - Math.log(V)) < 1e-5);
  assert.ok(losses[29] < 0.5 * losses[0], `loss ${losses[0].toFixed(3)} -> ${losses[29].toFixed(3)}`);
});

test('config validation: unknown presets and keys list the valid ones; semantic errors are explained', () => {
  assert.throws(() => resolveCM3LeonConfig('huge'), (e: Error) => e instanceof ConfigError && /tiny, small, 350m, 760m, 7b/.test(e.message));
  assert.throws(() => resolveCM3LeonConfig('tiny', ['dmodel=64']),
    (e: Error) => e instanceof ConfigError && /unknown cm3leon key "dmodel".*vocab, contextLength, dModel, layers, heads/.test(e.message));
  assert.throws(() => resolveCM3LeonConfig('tiny', ['dModel=30']), /dModel 30 is not divisible by heads 4/);
  assert.throws(() => resolveCM3LeonConfig('tiny', ['layers=0']), /layers must be a positive integer/);
  assert.throws(() => resolveCM3LeonConfig('tiny', ['heads=2.5']), /heads must be a positive integer/);
  assert.throws(() => resolveCM3LeonConfig('tiny', ['activation=swish']), /activation must be one of gelu, relu/);
  assert.throws(() => resolveCM3LeonConfig('tiny', ['initStd=big']), /needs a number/);
  assert.throws(() => new CM3Leon({ ...tinyCfg, heads: 3 }), /not divisible/);
  const c = resolveCM3LeonConfig('small', ['vocab=8212', 'contextLength=512', 'activation=relu']);
  assert.deepEqual([c.vocab, c.contextLength, c.activation, c.dModel], [8212, 512, 'relu', 256]);
  assert.equal(CM3LEON_PRESETS.small.contextLength, 384, 'overrides do not touch the preset');
});

test('parameter counts: computed counts match built models; paper presets by arithmetic', (t) => {
  for (const name of ['tiny', 'small']) {
    assert.equal(presetParamCount(name).total, new CM3Leon(resolveCM3LeonConfig(name)).numParameters(), name);
  }
  for (const name of Object.keys(CM3LEON_PRESETS)) {
    const p = presetParamCount(name), c = CM3LEON_PRESETS[name];
    t.diagnostic(`${name.padEnd(5)} d ${c.dModel} L ${c.layers} H ${c.heads} ffn ${c.mlpHidden} V ${c.vocab} T ${c.contextLength}: ` +
      `${(p.total / 1e6).toFixed(2)} M total, ${(p.blocks / 1e6).toFixed(2)} M in blocks`);
  }
  const b7 = presetParamCount('7b');
  assert.equal(b7.blocks, 32 * 12 * 4096 * 4096); // 6.442 B: OPT-6.7B's blocks without biases/LN
  assert.equal(b7.embedding, 64_532 * 4096);
  assert.ok(Math.abs(b7.total - 6.988e9) < 1e6, `${b7.total}`);
  assert.equal(cm3leonParamCount({ ...CM3LEON_PRESETS['350m'] }).blocks, 24 * 12 * 1024 * 1024);
});
