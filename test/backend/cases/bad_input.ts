/**
 * Native-only checks: bad input (Float64Array operands, too-short buffers, wrong index array types,
 * negative offsets or strides) must throw a JS error naming the kernel and argument, never crash or
 * write out of bounds; changing the thread count after parallel work must not crash.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative as loadNativeAddon } from '../../../src/backend/native/binding.js';
import { spawnSync } from 'node:child_process';
import type { AttnShape, Backend, BTHD, FArray } from '../../../src/backend/backend.js';
import { BinaryOp, ReduceOp, UnaryOp } from '../../../src/backend/backend.js';
import { expectBadInput, i32 } from './util.js';

export function runNativeInputChecks(makeBackend: () => Backend): void {
  describe('native backend: bad input', () => {
    let be: Backend;
    before(() => { be = makeBackend(); });
    const f = (n: number) => new Float32Array(n);
    const d = (n: number) => new Float64Array(n);
    const q = (data: FArray, T: number, H: number, D: number): BTHD => ({ data, sB: T * H * D, sT: H * D, sH: D });
    const shape = (B: number, T: number, H: number, D: number): AttnShape =>
      ({ B, Tq: T, Tk: T, H, D, causal: false, scale: 1, keyMask: null });

    test('a Float64Array passed to a native kernel throws a TypeError', () => {
      const cases: [string, () => void][] = [
        ['A', () => be.gemm(d(4), 0, f(4), 0, f(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0)],
        ['C', () => be.gemm(f(4), 0, f(4), 0, d(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0)],
        ['x', () => be.unary(UnaryOp.exp, d(3), f(3), 3)],
        ['out', () => be.unary(UnaryOp.exp, f(3), d(3), 3)],
        ['dy', () => be.unaryBackward(UnaryOp.exp, f(3), f(3), d(3), f(3), 3)],
        ['b', () => be.binary(BinaryOp.add, f(3), 0, i32(1), d(3), 0, i32(1), f(3), i32(3))],
        ['x', () => be.affine(d(3), f(3), 3, 1, 0)],
        ['dst', () => be.copy(f(3), 0, i32(1), d(3), 0, i32(1), i32(3), false)],
        ['x', () => be.reduce(ReduceOp.sum, d(6), 2, 3, 1, f(2), null)],
        ['x', () => be.sumSquares(d(3), 3)],
        ['out', () => be.softmax(f(6), d(6), 2, 3, false)],
        ['dx', () => be.softmaxBackward(f(6), f(6), d(6), 2, 3, true)],
        ['w', () => be.layerNorm(f(6), d(3), null, f(6), f(2), f(2), 2, 3, 1e-5)],
        ['db', () => be.layerNormBackward(f(6), null, f(2), f(2), f(6), f(6), null, d(3), 2, 3)],
        ['rstd', () => be.rmsNorm(f(6), null, f(6), d(2), 2, 3, 1e-5)],
        ['dw', () => be.rmsNormBackward(f(6), null, f(2), f(6), f(6), d(3), 2, 3)],
        ['src', () => be.gather(d(6), 1, 3, 2, i32(0), 1, f(2))],
        ['dst', () => be.scatterAdd(f(2), 1, 3, 2, i32(0), 1, d(6))],
        ['k', () => be.attention(q(f(8), 2, 1, 4), q(d(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), shape(1, 2, 1, 4))],
        ['keyMask', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          { ...shape(1, 2, 1, 4), keyMask: d(2) })],
        ['dv', () => be.attentionBackward(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), f(8),
          q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(d(8), 2, 1, 4), shape(1, 2, 1, 4))],
        ['logits', () => be.crossEntropy(d(6), 2, 3, i32(0, 1), null, -100, f(2), f(2))],
        ['weights', () => be.crossEntropyBackward(f(6), 2, 3, i32(0, 1), d(2), -100, f(2), 1, f(6))],
        ['v', () => be.adamw(f(3), f(3), f(3), d(3), 3, 1e-3, 0.9, 0.999, 1e-8, 0, 1)],
        ['codebook', () => be.vqNearest(f(4), 2, 2, d(4), 2, new Int32Array(2), f(2))],
      ];
      for (const [what, fn] of cases) expectBadInput(what, fn, TypeError);
    });

    test('a too-short output (or input) throws an Error naming the kernel and argument', () => {
      const cases: [string, () => void][] = [
        ['unary out', () => be.unary(UnaryOp.exp, f(8), f(7), 8)],
        ['unary x', () => be.unary(UnaryOp.neg, f(7), f(8), 8)],
        ['unaryBackward dx', () => be.unaryBackward(UnaryOp.tanh, f(8), f(8), f(8), f(2), 8)],
        ['gemm C', () => be.gemm(f(6), 0, f(6), 0, f(8), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 1, 0, 0, 0)],
        ['gemm A', () => be.gemm(f(6), 1, f(6), 0, f(9), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 1, 0, 0, 0)],
        ['gemm B', () => be.gemm(f(12), 0, f(6), 0, f(18), 0, 3, 3, 2, false, false, 2, 3, 3, 1, 0, 2, 6, 1, 9)],
        ['binary out', () => be.binary(BinaryOp.mul, f(6), 0, i32(3, 1), f(3), 0, i32(0, 1), f(5), i32(2, 3))],
        ['binary b', () => be.binary(BinaryOp.mul, f(6), 0, i32(3, 1), f(3), 1, i32(0, 1), f(6), i32(2, 3))],
        ['affine out', () => be.affine(f(4), f(3), 4, 2, 1)],
        ['copy dst', () => be.copy(f(6), 0, i32(1, 2), f(6), 1, i32(3, 1), i32(2, 3), false)],
        ['copy src', () => be.copy(f(5), 0, i32(1, 2), f(6), 0, i32(3, 1), i32(2, 3), true)],
        ['reduce out', () => be.reduce(ReduceOp.sum, f(12), 3, 4, 1, f(2), null)],
        ['reduce argmax', () => be.reduce(ReduceOp.max, f(12), 3, 4, 1, f(3), new Int32Array(2))],
        ['sumSquares x', () => be.sumSquares(f(3), 4)],
        ['softmax out', () => be.softmax(f(12), f(11), 3, 4, false)],
        ['softmaxBackward dx', () => be.softmaxBackward(f(12), f(12), f(11), 3, 4, true)],
        ['layerNorm rstd', () => be.layerNorm(f(12), null, null, f(12), f(3), f(2), 3, 4, 1e-5)],
        ['layerNorm weight', () => be.layerNorm(f(12), f(3), null, f(12), f(3), f(3), 3, 4, 1e-5)],
        ['layerNormBackward dw', () => be.layerNormBackward(f(12), null, f(3), f(3), f(12), f(12), f(3), null, 3, 4)],
        ['rmsNorm out', () => be.rmsNorm(f(12), null, f(10), f(3), 3, 4, 1e-5)],
        ['rmsNormBackward dx', () => be.rmsNormBackward(f(12), null, f(3), f(12), f(1), null, 3, 4)],
        ['gather out', () => be.gather(f(12), 1, 6, 2, i32(0, 1, 2), 3, f(5))],
        ['gather idx', () => be.gather(f(12), 1, 6, 2, i32(0, 1), 3, f(6))],
        ['scatterAdd out', () => be.scatterAdd(f(6), 1, 6, 2, i32(0, 1, 2), 3, f(11))],
        ['attention out', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(7), f(2), shape(1, 2, 1, 4))],
        ['attention lse', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(1), shape(1, 2, 1, 4))],
        ['attention k', () => be.attention(q(f(8), 2, 1, 4), q(f(7), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2), shape(1, 2, 1, 4))],
        ['attention keyMask', () => be.attention(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          { ...shape(1, 2, 1, 4), keyMask: f(1) })],
        ['attentionBackward dk', () => be.attentionBackward(q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), q(f(8), 2, 1, 4), f(8), f(2),
          f(8), q(f(8), 2, 1, 4), q(f(4), 2, 1, 4), q(f(8), 2, 1, 4), shape(1, 2, 1, 4))],
        ['crossEntropy rowLoss', () => be.crossEntropy(f(6), 2, 3, i32(0, 1), null, -100, f(2), f(1))],
        ['crossEntropy targets', () => be.crossEntropy(f(6), 2, 3, i32(0), null, -100, f(2), f(2))],
        ['crossEntropyBackward dlogits', () => be.crossEntropyBackward(f(6), 2, 3, i32(0, 1), null, -100, f(2), 1, f(5))],
        ['adamw v', () => be.adamw(f(3), f(3), f(3), f(2), 3, 1e-3, 0.9, 0.999, 1e-8, 0, 1)],
        ['vqNearest dist', () => be.vqNearest(f(4), 2, 2, f(4), 2, new Int32Array(2), f(1))],
        ['vqNearest idx', () => be.vqNearest(f(4), 2, 2, f(4), 2, new Int32Array(1), f(2))],
      ];
      for (const [what, fn] of cases) expectBadInput(what, fn);
    });

    test('a wrong index array type throws instead of reading garbage', () => {
      const asI32 = (x: unknown) => x as Int32Array;
      expectBadInput('Int32Array', () => be.gather(f(6), 1, 3, 2, asI32(new Float32Array(1)), 1, f(2)));
      expectBadInput('Int32Array', () => be.binary(BinaryOp.add, f(3), 0, asI32([1]), f(3), 0, i32(1), f(3), i32(3)));
      expectBadInput('Int32Array', () => be.crossEntropy(f(6), 2, 3, asI32(new Uint32Array(2)), null, -100, f(2), f(2)));
    });

    test('changing the thread count after parallel work does not crash (child process)', () => {
      const binding = new URL('../../../src/backend/native/binding.js', import.meta.url).href;
      const script = `const { loadNative } = await import(${JSON.stringify(binding)});
        const a = loadNative(), n = 1 << 17, x = new Float32Array(n).fill(1), y = new Float32Array(n);
        a.affine(x, y, n, 2, 1);
        a.setThreads(3);
        a.affine(x, y, n, 3, 0);
        a.setThreads(2);
        process.exit(y.every((v) => v === 3) ? 0 : 2);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.signal, null, `child died with ${r.signal}`);
      assert.equal(r.status, 0, `child exited with ${r.status}: ${r.stderr}`);
    });

    test('a negative offset or stride is rejected, not read out of bounds', () => {
      const dst = new Float32Array(4).fill(-1);
      expectBadInput('copy src', () => be.copy(Float32Array.of(1, 2, 3, 4), -2, i32(1), dst, 0, i32(1), i32(4), false));
      expectBadInput('copy dst', () => be.copy(Float32Array.of(1, 2, 3, 4), 0, i32(1), dst, -1, i32(1), i32(4), false));
      assert.deepEqual(Array.from(dst), [-1, -1, -1, -1]);
      expectBadInput('gemm', () => be.gemm(f(4), -2, f(4), 0, f(4), 0, 2, 2, 2, false, false, 2, 2, 2, 1, 0, 1, 0, 0, 0));
      expectBadInput('binary a', () => be.binary(BinaryOp.add, f(4), 1, Int32Array.of(2, -1), f(4), 0, Int32Array.of(2, 1), f(4), Int32Array.of(2, 2)));
    });

    test('sizes that overflow, are negative or fractional are rejected before any access', () => {
      const loaded = loadNativeAddon();
      expectBadInput('softmax x', () => loaded.softmax(f(4), f(4), 2 ** 32, 2 ** 32, 0));
      expectBadInput('size and must be >= 0', () => loaded.softmax(f(4), f(4), -4, -1, 0));
      expectBadInput('must be an integer', () => loaded.unary(1, f(4), f(4), 2.5));
      expectBadInput('must be an integer', () => loaded.unary(1, f(4), f(4), NaN));
      expectBadInput('gather src', () => loaded.gather(f(4), 2 ** 30, 2 ** 30, 2 ** 30, i32(0), 1, f(4)));
    });

    test('outputs that overlap themselves are rejected (they would race across threads)', () => {
      expectBadInput('overlapping output', () => be.copy(f(16 * 4096), 0, Int32Array.of(16, 1), f(16), 0,
        Int32Array.of(0, 1), Int32Array.of(4096, 16), true));
      expectBadInput('batches overlap', () => be.gemm(f(4), 0, f(4), 0, f(4), 0, 2, 2, 1, false, false, 1, 2, 2, 1, 1,
        2, 2, 2, 0));
    });
  });
}
