/** LR schedules, global-norm clipping and AdamW on both backends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBackend } from '../../src/backend/index.js';
import { AdamW } from '../../src/optim/adamw.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { learningRate } from '../../src/optim/schedule.js';
import { backward, mse, tensor, tidy, zeros } from '../../src/tensor/index.js';
import { parameter } from '../../src/nn/module.js';

test('warmup is linear, cosine decays to the floor, linear decays to the floor', () => {
  const o = { peak: 1, warmup: 10, total: 110, min: 0.1 };
  assert.equal(learningRate(0, o), 0.1);
  assert.equal(learningRate(9, o), 1);
  assert.equal(learningRate(10, o), 1);
  assert.ok(Math.abs(learningRate(60, o) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(110, o) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRate(60, { ...o, decay: 'linear' }) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(35, { ...o, decay: 'linear' }) - 0.775) < 1e-12);
  assert.equal(learningRate(100, { ...o, decay: 'constant' }), 1);
  assert.throws(() => learningRate(0, { peak: 1, warmup: 5, total: 2 }), /warmup/);
});

test('clipGradNorm scales all gradients to the max norm and returns the pre-clip norm', () => {
  const a = parameter(zeros([2])), b = parameter(zeros([1]));
  a.grad = tensor([3, 0], [2]).keep();
  b.grad = tensor([4], [1]).keep();
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.ok(Math.abs(a.grad.toArray()[0] - 0.6) < 1e-6 && Math.abs(b.grad.toArray()[0] - 0.8) < 1e-6);
  assert.ok(Math.abs(clipGradNorm([a, b], 10) - 1) < 1e-5);
  assert.ok(Math.abs(a.grad.toArray()[0] - 0.6) < 1e-6, 'no scaling under the max norm');
});

for (const backend of ['native', 'ref'] as const) {
  test(`AdamW fits a least-squares problem and skips decay where asked (${backend})`, () => withBackend(backend, () => {
    const w = parameter(zeros([3]), 'w'), bias = parameter(zeros([1]), 'bias');
    const opt = new AdamW([['w', w], ['bias', bias]], { lr: 0.05, weightDecay: 0.01, decay: (n) => n !== 'bias' });
    const target = tensor([1, -2, 0.5], [3]);
    for (let s = 0; s < 400; s++) {
      tidy(() => { backward(mse(w, target)); });
      opt.step();
      opt.zeroGrad();
    }
    w.toArray().forEach((v, i) => assert.ok(Math.abs(v - target.toArray()[i]) < 0.02, `w[${i}] = ${v}`));
    assert.equal(opt.stepCount, 400);
    assert.equal(bias.toArray()[0], 0, 'a parameter without grad is untouched');
    assert.throws(() => new AdamW([], { lr: -1 }), /lr/);
  }));
}
