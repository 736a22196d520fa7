/**
 * Autograd graph lifetime and view/copy validation: several losses in one tidy, graphs cut by
 * tidy() or an earlier backward fail loudly, views die with their owner, shape checks on
 * broadcastTo/copyInto, zero-size shapes and empty linear layers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBackend } from '../../src/backend/index.js';
import { parameter } from '../../src/nn/module.js';
import {
  backward, broadcastTo, copyInto, full, linear, mul, reshape, slice, sum, tensor, tidy, zeros,
} from '../../src/tensor/index.js';

test('two losses in one tidy each backpropagate (the first backward keeps the second graph)', () => {
  const w = parameter(tensor([1, 2, 3]));
  tidy(() => {
    const l1 = sum(mul(w, w)), l2 = sum(mul(w, tensor([10, 10, 10])));
    backward(l1);
    backward(l2);
  });
  assert.deepEqual(w.grad!.toArray(), [12, 14, 16]);
});

test('backward through a graph that was already used or cut by tidy() throws', () => {
  const w = parameter(tensor([1, 2]));
  tidy(() => {
    const l = sum(mul(w, w));
    backward(l);
    assert.throws(() => backward(l), /already released/);
  });
  const cut = tidy(() => sum(mul(w, w)));
  assert.throws(() => backward(cut), /already released/);
  tidy(() => {
    const inner = tidy(() => mul(w, w));
    assert.throws(() => backward(sum(inner)), /already released/);
  });
});

test('a view of a disposed owner cannot be read', () => {
  const t = tensor([1, 2, 3]);
  const v = reshape(t, [3]);
  t.dispose();
  tensor([9, 9, 9]);
  assert.throws(() => v.toArray(), /disposed/);
});

test('broadcastTo and copyInto reject shapes that do not match', () => {
  const s = slice(tensor([1, 2, 3, 4, 5, 6]), 0, 0, 3);
  assert.throws(() => broadcastTo(s, [5]), /broadcast/);
  assert.throws(() => broadcastTo(tensor([1, 2, 3]), [2]), /do not broadcast/);
  assert.throws(() => broadcastTo(zeros([2, 3]), [3]), /cannot be broadcast/);
  assert.deepEqual(broadcastTo(tensor([1, 2, 3]), [2, 3]).toArray(), [1, 2, 3, 1, 2, 3]);
  assert.throws(() => copyInto(zeros([2, 3]), tensor([1, 2, 3, 4, 5, 6]), false), /copyInto/);
  assert.throws(() => copyInto(zeros([2]), tensor([1, 2], [2], 'i32'), false), /copyInto/);
});

for (const backend of ['native', 'ref'] as const) {
  test(`zero-size shapes and empty layers work (${backend})`, () => withBackend(backend, () => {
    assert.deepEqual(sum(zeros([3, 0]), 1).toArray(), [0, 0, 0]);
    assert.deepEqual(sum(zeros([3, 0]), 0).shape, [0]);
    full([5, 3], 7).dispose();  // a stale pooled buffer must not leak into the result
    const y = linear(zeros([5, 0]), zeros([3, 0]), tensor([1, 2, 3]));
    assert.deepEqual(y.toArray(), [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    assert.deepEqual(linear(zeros([2, 0]), zeros([3, 0])).toArray(), [0, 0, 0, 0, 0, 0]);
  }));
}

test('tidy returns typed arrays untouched and keeps tensors next to them', () => {
  const big = new Float32Array(1 << 20).fill(1.5);
  const out = tidy(() => ({ data: big, t: tensor([1, 2, 3]), nested: [new Int32Array(4)] }));
  assert.equal(out.data, big);
  assert.deepEqual(out.t.toArray(), [1, 2, 3]);
  assert.equal(out.nested[0].length, 4);
});
