/** Seeded RNG: determinism and the moments of each distribution. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lgamma, Rng } from '../../src/tensor/random.js';
import { randint, randn, truncNormal, uniform } from '../../src/tensor/index.js';

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
}

test('same seed, same stream; different seed, different stream', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextU32()), sb = Array.from({ length: 8 }, () => b.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.nextU32()));
  assert.deepEqual(randn([5], { rng: new Rng(1) }).toArray(), randn([5], { rng: new Rng(1) }).toArray());
  assert.throws(() => new Rng(NaN), /finite/);
});

test('uniform is in [0, 1) with mean 1/2 and variance 1/12', () => {
  const r = new Rng(1), xs = Array.from({ length: 50000 }, () => r.uniform());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const m = moments(xs);
  assert.ok(Math.abs(m.mean - 0.5) < 0.01 && Math.abs(m.variance - 1 / 12) < 0.002, JSON.stringify(m));
  const u = uniform([1000], { rng: r, low: -2, high: 3 }).toArray();
  assert.ok(u.every((x) => x >= -2 && x < 3));
});

test('normal has mean 0 and variance 1', () => {
  const r = new Rng(2), m = moments(Array.from({ length: 50000 }, () => r.normal()));
  assert.ok(Math.abs(m.mean) < 0.02 && Math.abs(m.variance - 1) < 0.03, JSON.stringify(m));
});

test('truncated normal stays within its bounds (CM3Leon init: std 0.006, 3 sigma)', () => {
  const t = truncNormal([20000], { rng: new Rng(3), std: 0.006, bound: 3 }).toArray();
  assert.ok(t.every((x) => Math.abs(x) <= 0.018 + 1e-9));
  const m = moments(t);
  // Variance of N(0,1) truncated at ±3 is 0.9733.
  assert.ok(Math.abs(m.variance / 0.006 ** 2 - 0.9733) < 0.03, JSON.stringify(m));
});

test('Poisson matches its mean and variance for small and large lambda', () => {
  const r = new Rng(4);
  for (const lambda of [0.5, 1, 4, 30, 200]) {
    const m = moments(Array.from({ length: 20000 }, () => r.poisson(lambda)));
    assert.ok(Math.abs(m.mean - lambda) < 0.05 * lambda + 0.03, `lambda ${lambda}: mean ${m.mean}`);
    assert.ok(Math.abs(m.variance - lambda) < 0.1 * lambda + 0.05, `lambda ${lambda}: variance ${m.variance}`);
  }
  assert.equal(r.poisson(0), 0);
  assert.throws(() => r.poisson(-1), /lambda/);
});

test('multinomial frequencies follow the weights; without replacement gives distinct categories', () => {
  const r = new Rng(5), w = [1, 0, 3, 6], counts = [0, 0, 0, 0];
  for (const i of r.multinomial(w, 30000)) counts[i]++;
  assert.equal(counts[1], 0);
  for (const [i, c] of counts.entries()) assert.ok(Math.abs(c / 30000 - w[i] / 10) < 0.01, `category ${i}: ${c}`);
  const picks = r.multinomial([1, 1, 1, 1, 1], 5, false);
  assert.deepEqual([...picks].sort(), [0, 1, 2, 3, 4]);
  assert.throws(() => r.multinomial([1, 0], 2, false), /replacement/);
  assert.throws(() => r.multinomial([-1, 1], 1), /weights/);
});

test('randint stays in range; lgamma matches log factorials', () => {
  const t = randint([1000], 7, new Rng(6)).toArray();
  assert.ok(t.every((x) => Number.isInteger(x) && x >= 0 && x < 7));
  assert.ok(Math.abs(lgamma(10) - Math.log(362880)) < 1e-10);
  assert.ok(Math.abs(lgamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-12);
});
