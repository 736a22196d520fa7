/**
 * Autograd behaviour: the gradient checker's own negative control (a wrong or dropped backward
 * must be reported), gradient accumulation across backward calls, noGrad, and tidy.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, affine, backward, clearTape, exp, gelu, isGradEnabled, linear, mul, mulScalar, noGrad, softmax, sum,
  tanh, tapeLength, tensor, tidy, transpose, type Tensor,
} from '../../src/tensor/index.js';
import { record } from '../../src/tensor/autograd.js';
import { constant, gradcheck, gradOf, leaf } from '../helpers/gradcheck.js';

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
