/** Host binary16: round to nearest even (normals, subnormals, ties, overflow), exact round trips, packing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { halfBits, halfValue, packHalf, roundHalf } from '../../src/tensor/index.js';

test('halfBits: known values, ties to even, subnormals, overflow to infinity, NaN', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [0.5, 0x3800],
    [1 / 3, 0x3555], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [6.1e-5, 0x03ff],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], // ties: to the even neighbour
    [2 ** -25, 0x0000], [2 ** -25 * 1.0001, 0x0001], [3 * 2 ** -25, 0x0002], // subnormal ties
    [65519.99, 0x7bff], [65520, 0x7c00], [1e9, 0x7c00], [-Infinity, 0xfc00], [2 ** -30, 0],
  ];
  for (const [x, h] of cases) assert.equal(halfBits(x), h, `${x} -> 0x${halfBits(x).toString(16)}, want 0x${h.toString(16)}`);
  assert.ok(Number.isNaN(halfValue(halfBits(NaN))));
});

test('every finite half survives halfValue -> halfBits; rounding picks the nearer neighbour', () => {
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00) continue;
    assert.equal(halfBits(halfValue(h)), h, `0x${h.toString(16)}`);
  }
  for (let h = 0x0001; h < 0x7bff; h += 97) {
    const lo = halfValue(h), hi = halfValue(h + 1), mid = (lo + hi) / 2;
    assert.equal(halfBits(lo + (mid - lo) * 0.99), h);
    assert.equal(halfBits(mid + (hi - mid) * 0.01), h + 1);
  }
});

test('packHalf: element 2i in the low 16 bits; odd lengths; out-of-range values are refused by name', () => {
  const w = packHalf([1, -2, 0.5]);
  assert.deepEqual([...w].map((x) => x >>> 0), [(0xc000 << 16 | 0x3c00) >>> 0, 0x3800]);
  assert.deepEqual([...roundHalf([1 / 3, 70000 / 2])], [halfValue(0x3555), 35008]);
  assert.throws(() => packHalf([1, 70000], 'qkv weight'), /qkv weight: element 1 \(70000\) is outside the f16 range/);
});
