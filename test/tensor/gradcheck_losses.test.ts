/**
 * Finite-difference gradient checks (float64, reference backend): losses (crossEntropy with ignore
 * index and weights, mse, l1), l2Normalize, dropout, straightThrough and vectorQuantize.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backward, crossEntropy, dropout, exp, l1, l2Normalize, mse, mul, noGrad, Rng, straightThrough, sum, tensor,
  tidy, vectorQuantize,
} from '../../src/tensor/index.js';
import { awayFromZero, constant, gradcheck, gradOf, leaf } from '../helpers/gradcheck.js';

// ---------------------------------------------------------------- losses

test('gradcheck crossEntropy with ignore index', () => {
  const x2 = leaf([6, 5], 120), x3 = leaf([2, 3, 5], 121);
  const t2 = tensor([0, -100, 4, 2, -100, 1], [6], 'i32');
  const t3 = tensor([3, -100, 0, 4, 4, -100], [2, 3], 'i32');
  gradcheck('crossEntropy 2D ignore', () => crossEntropy(x2, t2), [x2]);
  gradcheck('crossEntropy 3D ignore', () => crossEntropy(x3, t3), [x3]);
  gradcheck('crossEntropy custom ignoreIndex', () => crossEntropy(x2, tensor([0, 3, 4, 3, 1, 1], [6], 'i32'),
    { ignoreIndex: 3 }), [x2]);
  gradcheck('crossEntropy no ignored rows', () => crossEntropy(x2, tensor([0, 1, 2, 3, 4, 0], [6], 'i32')), [x2]);
});

test('gradcheck crossEntropy with per-token weights', () => {
  const x2 = leaf([6, 5], 122), x3 = leaf([2, 3, 5], 123);
  const t2 = tensor([0, -100, 4, 2, 3, 1], [6], 'i32');
  const t3 = tensor([3, 1, 0, -100, 4, 2], [2, 3], 'i32');
  const w2 = constant([6], 124, (v) => 0.5 + Math.abs(v));
  const w3 = constant([2, 3], 125, (v) => 0.5 + Math.abs(v));
  gradcheck('crossEntropy 2D weights', () => crossEntropy(x2, t2, { weights: w2 }), [x2]);
  gradcheck('crossEntropy 3D weights', () => crossEntropy(x3, t3, { weights: w3 }), [x3]);
});

test('gradcheck mse and l1', () => {
  const a = leaf([3, 4], 126), b = leaf([3, 4], 127);
  gradcheck('mse', () => mse(a, b), [a, b]);
  // l1: keep |a - b| >= 0.1 so no element sits on the kink of |.|.
  const noise = constant([3, 4], 128, awayFromZero(0.1));
  const c = leaf([3, 4], 129);
  const d = leaf([3, 4], 130);
  for (let i = 0; i < d.host.length; i++) d.host[i] = c.host[i] + noise.host[i];
  gradcheck('l1', () => l1(c, d), [c, d]);
});

test('gradcheck l2Normalize', () => {
  const x = leaf([3, 4], 131);
  gradcheck('l2Normalize axis -1', () => l2Normalize(x), [x]);
  gradcheck('l2Normalize axis 0', () => l2Normalize(x, 0), [x]);
});

// ---------------------------------------------------------------- dropout / straight-through / VQ

test('gradcheck dropout (fixed mask)', () => {
  const x = leaf([4, 5], 132);
  gradcheck('dropout p=0.3', () => dropout(x, 0.3, new Rng(7)), [x]);
  gradcheck('dropout eval mode', () => dropout(x, 0.3, new Rng(7), false), [x]);
  // The mask zeroes some elements and scales the rest by 1/(1-p).
  const y = noGrad(() => dropout(x, 0.3, new Rng(7)).toArray());
  const xs = x.toArray();
  assert.ok(y.some((v) => v === 0), 'some elements dropped');
  y.forEach((v, i) => { if (v !== 0) assert.ok(Math.abs(v - xs[i] / 0.7) < 1e-12); });
});

test('straightThrough: forward is q, gradient is the identity to x', () => {
  const x = leaf([3, 4], 133);
  const q = constant([3, 4], 134);
  const R = constant([3, 4], 135);
  tidy(() => {
    const out = straightThrough(x, q);
    assert.deepEqual(out.toArray(), q.toArray());
    backward(sum(mul(out, R)));
  });
  assert.ok(x.grad);
  assert.deepEqual(x.grad.toArray(), R.toArray());
  x.grad = null;
  // When q depends on x too, straight-through still passes exactly the incoming gradient to x.
  tidy(() => backward(sum(mul(straightThrough(x, exp(x)), R))));
  assert.deepEqual(gradOf(x).toArray(), R.toArray());
  x.grad = null;
});

test('gradcheck vectorQuantize', () => {
  const Kc = 4, Dv = 3;
  // Well separated codes (scaled by 3) and inputs near them: nearest indices cannot change under h.
  const codebook = leaf([Kc, Dv], 136, (v) => 3 * v);
  const pick = [2, 0, 2, 3, 1, 2];
  const xv: number[] = [];
  const noise = new Rng(137);
  for (const c of pick) for (let d = 0; d < Dv; d++) xv.push(codebook.host[c * Dv + d] + 0.1 * noise.normal());
  const x = tensor(xv, [2, 3, Dv], 'f64');
  const vq = noGrad(() => vectorQuantize(x, codebook));
  assert.deepEqual(vq.indices.toArray(), pick);
  gradcheck('vectorQuantize codes wrt codebook', () => vectorQuantize(x, codebook).codes, [codebook]);

  // quantized: the gradient to x equals the incoming gradient (straight-through); none to the codebook.
  x.requiresGrad = true;
  codebook.requiresGrad = true;
  const R = constant([2, 3, Dv], 138);
  tidy(() => {
    const { quantized } = vectorQuantize(x, codebook);
    assert.deepEqual(quantized.toArray(), noGrad(() => vectorQuantize(x, codebook).codes.toArray()));
    backward(sum(mul(quantized, R)));
  });
  assert.ok(x.grad);
  assert.deepEqual(x.grad.toArray(), R.toArray());
  assert.equal(codebook.grad, null);
  x.grad = null;
});
