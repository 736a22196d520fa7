/**
 * Finite-difference gradient checks (float64, reference backend): broadcasting binary ops
 * (add, sub, mul, div), affine / mulScalar / addScalar, and every unary op (also through a view).
 * Method and tolerances: test/helpers/gradcheck.ts (h = 1e-6, |a - n| <= 1e-6 + 1e-5 |n|).
 */
import { test } from 'node:test';
import {
  abs, add, addScalar, affine, div, exp, gelu, log, mul, mulScalar, neg, permute, relu, sigmoid, silu, sqrt,
  square, sub, tanh, transpose, type Tensor,
} from '../../src/tensor/index.js';
import { awayFromZero, gradcheck, leaf, positive } from '../helpers/gradcheck.js';

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
