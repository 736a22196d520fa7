/**
 * Finite-difference gradient checks (float64, reference backend): matmul (2D, batched 3D,
 * broadcast batch dims, transposed and permuted operands) and linear.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import { linear, matmul, permute, reshape, transpose } from '../../src/tensor/index.js';
import { gradcheck, leaf } from '../helpers/gradcheck.js';

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
