/**
 * Finite-difference gradient checks (float64, reference backend): softmax / logSoftmax, layerNorm,
 * rmsNorm, and the gathers (embedding, indexSelect) with repeated indices.
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import {
  embedding, indexSelect, layerNorm, logSoftmax, permute, rmsNorm, softmax, tensor, transpose,
} from '../../src/tensor/index.js';
import { gradcheck, leaf } from '../helpers/gradcheck.js';

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
