/**
 * Finite-difference gradient checks (float64, reference backend): reductions (sum, mean, max) and
 * views / copies (concat, split, slice, reshape, permute, transpose, unflatten, broadcastTo, contiguous).
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import {
  broadcastTo, concat, contiguous, matmul, max, mean, mul, permute, reshape, slice, split, sum, transpose,
  unflatten,
} from '../../src/tensor/index.js';
import { distinctLeaf, gradcheck, leaf } from '../helpers/gradcheck.js';

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
