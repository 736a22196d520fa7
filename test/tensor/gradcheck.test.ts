/**
 * Finite-difference gradient checks (float64, reference backend) for every differentiable op,
 * plus autograd bookkeeping: gradient accumulation, noGrad and tidy.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abs, add, addScalar, affine, attention, backward, selfAttention, broadcastTo, clearTape, concat, contiguous, crossEntropy, div,
  dropout, embedding, exp, gelu, indexSelect, isGradEnabled, l1, l2Normalize, layerNorm, linear, log, logSoftmax,
  matmul, max, mean, mse, mul, mulScalar, neg, noGrad, permute, randn, relu, reshape, rmsNorm, Rng, sigmoid, silu,
  slice, softmax, split, sqrt, square, straightThrough, sub, sum, tanh, tapeLength, tensor, tidy, transpose,
  unflatten, vectorQuantize, type Tensor,
} from '../../src/tensor/index.js';
import { record } from '../../src/tensor/autograd.js';
import { awayFromZero, distinctLeaf, gradcheck, leaf, positive } from '../helpers/gradcheck.js';

/** A constant f64 tensor (no grad). */
function constant(shape: number[], seed: number, map?: (v: number, i: number) => number): Tensor {
  const t = randn(shape, { rng: new Rng(seed), dtype: 'f64' });
  if (map) for (let i = 0; i < t.data.length; i++) t.data[i] = map(t.data[i], i);
  return t;
}

/** The gradient of a leaf (asserting it exists); sidesteps TS narrowing `.grad` to null after a reset. */
function gradOf(t: Tensor): Tensor {
  const g = t.grad;
  assert.ok(g, 'expected a gradient');
  return g;
}

// ---------------------------------------------------------------- the checker itself

test('gradcheck detects a wrong backward (negative control)', () => {
  const x = leaf([3, 4], 199);
  // tanh forward with a backward that is off by 0.1%: must be reported.
  const badTanh = (t: Tensor): Tensor => {
    const out = noGrad(() => tanh(t));
    return record('badTanh', out, [t], (g) => [noGrad(() => mul(g, affine(mul(out, out), -1.001, 1.001)))]);
  };
  assert.throws(() => gradcheck('badTanh', () => badTanh(x), [x]), /gradcheck badTanh: \d+\/12 elements differ/);
  // A backward that drops the gradient entirely.
  const dropped = (t: Tensor): Tensor => record('dropped', noGrad(() => exp(t)), [t], () => [null]);
  assert.throws(() => gradcheck('dropped', () => dropped(x), [x]), /12\/12 elements differ/);
  // An output that ignores its input is reported as vacuous.
  assert.throws(() => gradcheck('const', () => mul(x, tensor(new Array(12).fill(0), [3, 4], 'f64')), [x]), /vacuous/);
  x.grad = null;
});

// ---------------------------------------------------------------- broadcasting binary ops

test('gradcheck add with broadcasting', () => {
  const a = leaf([2, 3, 4], 1), b = leaf([3, 1], 2), c = leaf([4], 3), s = leaf([], 4);
  gradcheck('add [2,3,4]+[3,1]', () => add(a, b), [a, b]);
  gradcheck('add [2,3,4]+[4]', () => add(a, c), [a, c]);
  gradcheck('add [4]+[2,3,4]', () => add(c, a), [c, a]);
  gradcheck('add [2,3,4]+[]', () => add(a, s), [a, s]);
  gradcheck('add a+a', () => add(a, a), [a]);
});

test('gradcheck sub with broadcasting', () => {
  const a = leaf([2, 3, 4], 5), b = leaf([3, 1], 6), c = leaf([4], 7);
  gradcheck('sub [2,3,4]-[3,1]', () => sub(a, b), [a, b]);
  gradcheck('sub [2,3,4]-[4]', () => sub(a, c), [a, c]);
  gradcheck('sub [3,1]-[2,3,4]', () => sub(b, a), [b, a]);
});

test('gradcheck mul with broadcasting', () => {
  const a = leaf([2, 3, 4], 8), b = leaf([3, 1], 9), c = leaf([4], 10);
  gradcheck('mul [2,3,4]*[3,1]', () => mul(a, b), [a, b]);
  gradcheck('mul [2,3,4]*[4]', () => mul(a, c), [a, c]);
  gradcheck('mul [3,1]*[4] -> [3,4]', () => mul(b, c), [b, c]);
  gradcheck('mul of views', () => mul(transpose(a), permute(a, [0, 2, 1])), [a]);
});

test('gradcheck div with broadcasting', () => {
  const a = leaf([2, 3, 4], 11), b = leaf([3, 1], 12, awayFromZero(0.5)), c = leaf([4], 13, awayFromZero(0.5));
  const d = leaf([2, 3, 4], 14, awayFromZero(0.5));
  gradcheck('div [2,3,4]/[3,1]', () => div(a, b), [a, b]);
  gradcheck('div [2,3,4]/[4]', () => div(a, c), [a, c]);
  gradcheck('div [4]/[2,3,4]', () => div(c, d), [c, d]);
});

test('gradcheck affine, mulScalar, addScalar', () => {
  const x = leaf([3, 4], 15);
  gradcheck('affine', () => affine(x, -1.7, 0.3), [x]);
  gradcheck('mulScalar', () => mulScalar(x, 2.5), [x]);
  gradcheck('addScalar', () => addScalar(x, -4), [x]);
  gradcheck('affine of transposed view', () => affine(transpose(x), 0.5, 1), [x]);
});

// ---------------------------------------------------------------- unary ops

const unaryCases: [string, (x: Tensor) => Tensor, ((v: number) => number) | undefined][] = [
  ['neg', neg, undefined],
  ['exp', exp, undefined],
  ['log', log, positive(0.2)],
  ['sqrt', sqrt, positive(0.2)],
  ['tanh', tanh, undefined],
  ['relu', relu, awayFromZero(0.05)],
  ['gelu', gelu, undefined],
  ['silu', silu, undefined],
  ['sigmoid', sigmoid, undefined],
  ['abs', abs, awayFromZero(0.05)],
  ['square', square, undefined],
];
unaryCases.forEach(([name, f, map], k) => {
  test(`gradcheck ${name}`, () => {
    const x = leaf([3, 5], 100 + k, map);
    gradcheck(name, () => f(x), [x]);
    // Also through a non-contiguous view of the leaf.
    gradcheck(`${name} (transposed view)`, () => f(transpose(x)), [x]);
  });
});

// ---------------------------------------------------------------- reductions

test('gradcheck sum', () => {
  const x = leaf([2, 3, 4], 20);
  gradcheck('sum all', () => sum(x), [x]);
  gradcheck('sum axis 1', () => sum(x, 1), [x]);
  gradcheck('sum axis -1 keepDim', () => sum(x, -1, true), [x]);
  gradcheck('sum axes [0,2]', () => sum(x, [0, 2]), [x]);
  gradcheck('sum axes [0,2] keepDim', () => sum(x, [0, 2], true), [x]);
  gradcheck('sum all keepDim', () => sum(x, undefined, true), [x]);
  gradcheck('sum of permuted view', () => sum(permute(x, [2, 0, 1]), [1]), [x]);
});

test('gradcheck mean', () => {
  const x = leaf([2, 3, 4], 21);
  gradcheck('mean all', () => mean(x), [x]);
  gradcheck('mean axis 1', () => mean(x, 1), [x]);
  gradcheck('mean axes [0,2] keepDim', () => mean(x, [0, 2], true), [x]);
  gradcheck('mean axis -1 keepDim', () => mean(x, -1, true), [x]);
});

test('gradcheck max (distinct values)', () => {
  const x = distinctLeaf([2, 3, 4], 22);
  gradcheck('max axis -1', () => max(x), [x]);
  gradcheck('max axis 1', () => max(x, 1), [x]);
  gradcheck('max axis 0 keepDim', () => max(x, 0, true), [x]);
  gradcheck('max of transposed view', () => max(transpose(x), -1), [x]);
});

// ---------------------------------------------------------------- matmul / linear

test('gradcheck matmul 2D', () => {
  const a = leaf([3, 4], 30), b = leaf([4, 5], 31);
  const at = leaf([4, 3], 32), bt = leaf([5, 4], 33);
  gradcheck('matmul 2D', () => matmul(a, b), [a, b]);
  gradcheck('matmul 2D a^T', () => matmul(transpose(at), b), [at, b]);
  gradcheck('matmul 2D b^T', () => matmul(a, transpose(bt)), [a, bt]);
  gradcheck('matmul 2D a^T b^T', () => matmul(transpose(at), transpose(bt)), [at, bt]);
  gradcheck('matmul 2D a @ a^T', () => matmul(a, transpose(a)), [a]);
});

test('gradcheck matmul batched 3D', () => {
  const a = leaf([2, 3, 4], 34), b = leaf([2, 4, 5], 35);
  const at = leaf([2, 4, 3], 36), bt = leaf([2, 5, 4], 37), ap = leaf([3, 2, 4], 38);
  gradcheck('matmul 3D', () => matmul(a, b), [a, b]);
  gradcheck('matmul 3D a^T', () => matmul(transpose(at), b), [at, b]);
  gradcheck('matmul 3D b^T', () => matmul(a, transpose(bt)), [a, bt]);
  gradcheck('matmul 3D a^T b^T', () => matmul(transpose(at), transpose(bt)), [at, bt]);
  // Batch dim with a non-leading stride: permute (3,2,4) -> (2,3,4).
  gradcheck('matmul 3D permuted batch', () => matmul(permute(ap, [1, 0, 2]), b), [ap, b]);
});

test('gradcheck matmul broadcast batch', () => {
  const a3 = leaf([2, 3, 4], 40), b2 = leaf([4, 5], 41), a2 = leaf([3, 4], 42), b3 = leaf([2, 4, 5], 43);
  const a3t = leaf([2, 4, 3], 44), b2t = leaf([5, 4], 45), a2t = leaf([4, 3], 46), b3t = leaf([2, 5, 4], 47);
  gradcheck('matmul 3D @ 2D', () => matmul(a3, b2), [a3, b2]);
  gradcheck('matmul 3D^T @ 2D^T', () => matmul(transpose(a3t), transpose(b2t)), [a3t, b2t]);
  gradcheck('matmul 2D @ 3D', () => matmul(a2, b3), [a2, b3]);
  gradcheck('matmul 2D^T @ 3D^T', () => matmul(transpose(a2t), transpose(b3t)), [a2t, b3t]);
  // Mixed broadcast batch dims: (2,1,3,4) @ (1,2,4,5) -> (2,2,3,5).
  const a4 = leaf([2, 1, 3, 4], 48), b4 = leaf([1, 2, 4, 5], 49);
  gradcheck('matmul (2,1,3,4) @ (1,2,4,5)', () => matmul(a4, b4), [a4, b4]);
});

test('gradcheck linear', () => {
  const x = leaf([2, 3, 4], 50), w = leaf([5, 4], 51), b = leaf([5], 52), xt = leaf([2, 4, 3], 53);
  gradcheck('linear with bias', () => linear(x, w, b), [x, w, b]);
  gradcheck('linear without bias', () => linear(x, w), [x, w]);
  gradcheck('linear 2D input', () => linear(reshape(x, [6, 4]), w, b), [x, w, b]);
  gradcheck('linear transposed input', () => linear(transpose(xt), w, b), [xt, w, b]);
  const wt = leaf([4, 5], 54);
  gradcheck('linear transposed weight', () => linear(x, transpose(wt), b), [x, wt, b]);
});

// ---------------------------------------------------------------- softmax / norms

test('gradcheck softmax and logSoftmax', () => {
  const x = leaf([3, 5], 60), y = leaf([2, 3, 4], 61);
  gradcheck('softmax 2D', () => softmax(x), [x]);
  gradcheck('softmax 3D', () => softmax(y), [y]);
  gradcheck('softmax transposed view', () => softmax(transpose(x)), [x]);
  gradcheck('logSoftmax 2D', () => logSoftmax(x), [x]);
  gradcheck('logSoftmax 3D', () => logSoftmax(y), [y]);
  gradcheck('logSoftmax transposed view', () => logSoftmax(transpose(x)), [x]);
});

test('gradcheck layerNorm', () => {
  const x = leaf([2, 3, 6], 62), w = leaf([6], 63), b = leaf([6], 64);
  gradcheck('layerNorm affine', () => layerNorm(x, w, b), [x, w, b]);
  gradcheck('layerNorm non-affine', () => layerNorm(x), [x]);
  gradcheck('layerNorm weight only', () => layerNorm(x, w), [x, w]);
  const w3 = leaf([3], 67), b3 = leaf([3], 68);
  gradcheck('layerNorm transposed input', () => layerNorm(transpose(x), w3, b3), [x, w3, b3]);
});

test('gradcheck rmsNorm', () => {
  const x = leaf([2, 3, 6], 65), w = leaf([6], 66);
  gradcheck('rmsNorm with weight', () => rmsNorm(x, w), [x, w]);
  gradcheck('rmsNorm without weight', () => rmsNorm(x), [x]);
});

// ---------------------------------------------------------------- gather

test('gradcheck embedding (repeated ids)', () => {
  const table = leaf([6, 4], 70);
  const ids = tensor([1, 3, 1, 0, 5, 1], [6], 'i32');
  const ids2 = tensor([2, 2, 4, 0, 2, 5], [2, 3], 'i32');
  gradcheck('embedding 1D ids', () => embedding(table, ids), [table]);
  gradcheck('embedding 2D ids', () => embedding(table, ids2), [table]);
});

test('gradcheck indexSelect axis 1 of 3D (repeated indices)', () => {
  const x = leaf([2, 5, 3], 71);
  const idx = tensor([4, 0, 4, 2, 4], [5], 'i32');
  gradcheck('indexSelect axis 1', () => indexSelect(x, 1, idx), [x]);
  gradcheck('indexSelect axis -1', () => indexSelect(x, -1, tensor([2, 2, 0], [3], 'i32')), [x]);
  gradcheck('indexSelect axis 1 of permuted view', () => indexSelect(permute(x, [1, 0, 2]), 1, tensor([1, 1], [2], 'i32')), [x]);
});

// ---------------------------------------------------------------- views and copies

test('gradcheck concat along axis 1', () => {
  const a = leaf([2, 3, 4], 80), b = leaf([2, 2, 4], 81), ct = leaf([2, 4, 1], 82);
  gradcheck('concat axis 1', () => concat([a, b], 1), [a, b]);
  gradcheck('concat axis 1 with a view', () => concat([a, transpose(ct), b], 1), [a, ct, b]);
  gradcheck('concat same tensor twice', () => concat([a, a], 1), [a]);
  const e = leaf([1, 3, 4], 79);
  gradcheck('concat axis 0 (contiguous offset grads)', () => concat([a, e, a], 0), [a, e]);
});

test('gradcheck split', () => {
  const x = leaf([2, 6, 3], 83);
  gradcheck('split [1,2,3] axis 1', () => split(x, [1, 2, 3], 1), [x]);
  gradcheck('split [2,1] axis -1', () => split(x, [2, 1], -1), [x]);
  gradcheck('split, use only one part', () => split(x, [4, 2], 1)[1], [x]);
  gradcheck('split axis 0', () => split(x, [1, 1], 0), [x]);
});

test('gradcheck slice', () => {
  const x = leaf([2, 6, 3], 84);
  gradcheck('slice axis 1', () => slice(x, 1, 1, 4), [x]);
  gradcheck('slice axis -1', () => slice(x, -1, 1, 3), [x]);
  gradcheck('slice of slice', () => slice(slice(x, 1, 1, 5), 2, 0, 2), [x]);
});

test('gradcheck reshape', () => {
  const x = leaf([2, 3, 4], 85);
  gradcheck('reshape', () => reshape(x, [6, 4]), [x]);
  gradcheck('reshape -1', () => reshape(x, [4, -1]), [x]);
  gradcheck('reshape of transposed view', () => reshape(transpose(x), [2, 12]), [x]);
});

test('gradcheck permute and transpose', () => {
  const x = leaf([2, 3, 4], 86);
  gradcheck('permute [2,0,1]', () => permute(x, [2, 0, 1]), [x]);
  gradcheck('transpose default', () => transpose(x), [x]);
  gradcheck('transpose 0,2', () => transpose(x, 0, 2), [x]);
  gradcheck('permute then elementwise', () => mul(permute(x, [1, 2, 0]), permute(x, [1, 2, 0])), [x]);
});

test('gradcheck unflatten', () => {
  const x = leaf([2, 12], 87), y = leaf([2, 3, 12], 88);
  gradcheck('unflatten axis 1', () => unflatten(x, 1, [3, 4]), [x]);
  gradcheck('unflatten of strided slice', () => unflatten(slice(y, -1, 4, 10), -1, [2, 3]), [y]);
});

test('gradcheck broadcastTo', () => {
  const x = leaf([3, 1], 89), y = leaf([4], 90);
  gradcheck('broadcastTo [3,1] -> [2,3,4]', () => broadcastTo(x, [2, 3, 4]), [x]);
  gradcheck('broadcastTo [4] -> [3,4]', () => broadcastTo(y, [3, 4]), [y]);
  gradcheck('contiguous(broadcastTo)', () => contiguous(broadcastTo(x, [2, 3, 4])), [x]);
});

test('gradcheck contiguous of a transposed view', () => {
  const x = leaf([2, 3, 4], 91);
  gradcheck('contiguous(transpose)', () => contiguous(transpose(x)), [x]);
  gradcheck('contiguous(permute) then matmul', () => matmul(contiguous(transpose(x)), x), [x]);
});

// ---------------------------------------------------------------- attention

const B = 2, T = 5, H = 2, D = 3;

test('gradcheck attention non-causal', () => {
  const q = leaf([B, T, H, D], 100), k = leaf([B, T, H, D], 101), v = leaf([B, T, H, D], 102);
  gradcheck('attention', () => attention(q, k, v), [q, k, v]);
  gradcheck('attention scale 0.7', () => attention(q, k, v, { scale: 0.7 }), [q, k, v]);
});

test('gradcheck attention causal', () => {
  const q = leaf([B, T, H, D], 103), k = leaf([B, T, H, D], 104), v = leaf([B, T, H, D], 105);
  gradcheck('attention causal', () => attention(q, k, v, { causal: true }), [q, k, v]);
});

test('gradcheck attention with keyMask', () => {
  const q = leaf([B, T, H, D], 106), k = leaf([B, T, H, D], 107), v = leaf([B, T, H, D], 108);
  const mask = tensor([1, 1, 0, 1, 0, 0, 1, 1, 1, 0], [B, T], 'f64');
  gradcheck('attention keyMask', () => attention(q, k, v, { keyMask: mask }), [q, k, v]);
  // Causal + mask: key 0 visible in both rows so every query row sees at least one key.
  const mask2 = tensor([1, 0, 1, 1, 0, 1, 1, 0, 1, 1], [B, T], 'f64');
  gradcheck('attention causal + keyMask', () => attention(q, k, v, { causal: true, keyMask: mask2 }), [q, k, v]);
});

test('gradcheck attention KV-cache shape (Tq=2 < Tk=5, causal)', () => {
  const q = leaf([B, 2, H, D], 109), k = leaf([B, 5, H, D], 110), v = leaf([B, 5, H, D], 111);
  gradcheck('attention Tq<Tk causal', () => attention(q, k, v, { causal: true }), [q, k, v]);
  gradcheck('attention Tq<Tk non-causal', () => attention(q, k, v), [q, k, v]);
});

test('gradcheck attention with q/k/v strided slices of a fused tensor', () => {
  const C = H * D;
  const qkv = leaf([B, T, 3 * C], 112);
  const heads = (i: number) => unflatten(slice(qkv, -1, i * C, (i + 1) * C), -1, [H, D]);
  gradcheck('attention fused qkv causal', () => attention(heads(0), heads(1), heads(2), { causal: true }), [qkv]);
  gradcheck('attention fused qkv non-causal', () => attention(heads(0), heads(1), heads(2)), [qkv]);
  gradcheck('selfAttention causal', () => selfAttention(qkv, H, { causal: true }), [qkv]);
  const mask = tensor([1, 1, 0, 1, 1, 1, 0, 1, 1, 1], [B, T], 'f64');
  gradcheck('selfAttention keyMask', () => selfAttention(qkv, H, { keyMask: mask }), [qkv]);
  // (B, H, T, D) leaves permuted to (B, T, H, D): unit stride over D, odd strides elsewhere.
  const qp = leaf([B, H, T, D], 113), kp = leaf([B, H, T, D], 114), vp = leaf([B, H, T, D], 115);
  const p = (t: Tensor) => permute(t, [0, 2, 1, 3]);
  gradcheck('attention permuted views', () => attention(p(qp), p(kp), p(vp), { causal: true }), [qp, kp, vp]);
});

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
  for (let i = 0; i < d.data.length; i++) d.data[i] = c.data[i] + noise.data[i];
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
  const out = straightThrough(x, q);
  assert.deepEqual(out.toArray(), q.toArray());
  backward(sum(mul(out, R)));
  assert.ok(x.grad);
  assert.deepEqual(x.grad.toArray(), R.toArray());
  x.grad = null;
  // When q depends on x too, straight-through still passes exactly the incoming gradient to x.
  const out2 = straightThrough(x, exp(x));
  backward(sum(mul(out2, R)));
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
  for (const c of pick) for (let d = 0; d < Dv; d++) xv.push(codebook.data[c * Dv + d] + 0.1 * noise.normal());
  const x = tensor(xv, [2, 3, Dv], 'f64');
  const vq = noGrad(() => vectorQuantize(x, codebook));
  assert.deepEqual(vq.indices.toArray(), pick);
  gradcheck('vectorQuantize codes wrt codebook', () => vectorQuantize(x, codebook).codes, [codebook]);

  // quantized: the gradient to x equals the incoming gradient (straight-through); none to the codebook.
  x.requiresGrad = true;
  codebook.requiresGrad = true;
  const R = constant([2, 3, Dv], 138);
  const { quantized } = vectorQuantize(x, codebook);
  assert.deepEqual(quantized.toArray(), noGrad(() => vectorQuantize(x, codebook).codes.toArray()));
  backward(sum(mul(quantized, R)));
  assert.ok(x.grad);
  assert.deepEqual(x.grad.toArray(), R.toArray());
  assert.equal(codebook.grad, null);
  x.grad = null;
});

// ---------------------------------------------------------------- autograd bookkeeping

test('gradients accumulate across two backward calls', () => {
  const p = leaf([3, 4], 140);
  const R = constant([3, 4], 141);
  const loss = () => sum(mul(tanh(mul(p, p)), R));
  backward(loss());
  assert.ok(p.grad);
  const g1 = p.grad.toArray();
  assert.ok(g1.some((v) => v !== 0));
  backward(loss());
  const g2 = p.grad.toArray();
  g2.forEach((v, i) => assert.ok(Math.abs(v - 2 * g1[i]) <= 1e-15 * Math.abs(g1[i]) + 1e-300, `element ${i}`));
  p.grad = null;
  backward(loss());
  assert.deepEqual(gradOf(p).toArray(), g1);
  p.grad = null;
});

test('noGrad records nothing', () => {
  clearTape();
  const x = leaf([3, 4], 142), w = leaf([5, 4], 143);
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    const h = linear(x, w);
    return sum(softmax(gelu(h)));
  });
  assert.equal(tapeLength(), 0);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => backward(y), /does not require grad/);
  // Grad mode is restored after an exception too.
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
  // And recording works again afterwards.
  const z = sum(mul(x, x));
  assert.ok(tapeLength() > 0);
  backward(z);
  assert.equal(tapeLength(), 0);
});

test('tidy keeps returned results and disposes intermediates', () => {
  const x = leaf([3, 4], 144);
  let inter: Tensor | null = null;
  let keptInter: Tensor | null = null;
  const res = tidy(() => {
    const a = exp(x);
    inter = a;
    keptInter = mulScalar(a, 2).keep();
    const b = mul(a, a);
    return { b, view: transpose(b), n: 3 };
  });
  assert.equal(res.n, 3);
  const expected = x.toArray().map((v) => Math.exp(2 * v));
  res.b.toArray().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12 * expected[i]));
  assert.equal(res.view.toArray().length, 12);
  assert.ok(keptInter);
  assert.equal((keptInter as Tensor).toArray().length, 12);
  assert.ok(inter);
  const a = inter as Tensor;
  assert.equal(a.disposed, true);
  assert.throws(() => a.toArray(), (e: unknown) => e instanceof Error && /tidy/.test(e.message));
  // Ops recorded inside tidy are dropped from the tape; the leaf itself survives.
  assert.equal(tapeLength(), 0);
  assert.equal(x.disposed, false);
  // Returning a plain value disposes everything created inside.
  let t2: Tensor | null = null;
  const v = tidy(() => { t2 = add(x, x); return (t2 as Tensor).toArray()[0]; });
  assert.equal(v, 2 * x.toArray()[0]);
  assert.throws(() => (t2 as Tensor).toArray(), /tidy/);
});
