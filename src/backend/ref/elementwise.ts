/**
 * ref/elementwise.ts — reference unary, binary (broadcast via strides), affine, strided copy,
 * reductions and GEMM. Plain loops: the specification and test oracle for the native kernels.
 */
import { BinaryOp, type FArray } from '../backend.js';
import { unaryFn, unaryGradFn } from './math.js';

export function unary(op: number, x: FArray, out: FArray, n: number): void {
  const f = unaryFn(op);
  for (let i = 0; i < n; i++) out[i] = f(x[i]);
}

export function unaryBackward(op: number, x: FArray, y: FArray, dy: FArray, dx: FArray, n: number): void {
  const f = unaryGradFn(op);
  for (let i = 0; i < n; i++) dx[i] = f(x[i], y[i], dy[i]);
}

/** Calls fn(linearIndex, offsetA, offsetB) over every element of shape in row-major order. */
function forEachIndex(shape: Int32Array, sa: Int32Array, sb: Int32Array, oa: number, ob: number,
  fn: (i: number, a: number, b: number) => void): void {
  const nd = shape.length;
  let total = 1;
  for (let d = 0; d < nd; d++) total *= shape[d];
  if (total === 0) return;
  const idx = new Int32Array(nd);
  let a = oa, b = ob;
  for (let i = 0; i < total; i++) {
    fn(i, a, b);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      a += sa[d];
      b += sb[d];
      if (idx[d] < shape[d]) break;
      a -= sa[d] * shape[d];
      b -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function binary(op: number, a: FArray, aOff: number, aS: Int32Array, b: FArray, bOff: number, bS: Int32Array,
  out: FArray, shape: Int32Array): void {
  const f = op === BinaryOp.add ? (x: number, y: number) => x + y
    : op === BinaryOp.sub ? (x: number, y: number) => x - y
      : op === BinaryOp.mul ? (x: number, y: number) => x * y
        : op === BinaryOp.div ? (x: number, y: number) => x / y : null;
  if (!f) throw new Error(`binary: unknown op ${op}`);
  forEachIndex(shape, aS, bS, aOff, bOff, (i, ia, ib) => { out[i] = f(a[ia], b[ib]); });
}

export function affine(x: FArray, out: FArray, n: number, alpha: number, beta: number): void {
  for (let i = 0; i < n; i++) out[i] = alpha * x[i] + beta;
}

export function copy(src: FArray, srcOff: number, sS: Int32Array, dst: FArray, dstOff: number, dS: Int32Array,
  shape: Int32Array, accumulate: boolean): void {
  if (accumulate) forEachIndex(shape, sS, dS, srcOff, dstOff, (_i, s, d) => { dst[d] += src[s]; });
  else forEachIndex(shape, sS, dS, srcOff, dstOff, (_i, s, d) => { dst[d] = src[s]; });
}

export function reduce(op: number, x: FArray, outer: number, n: number, inner: number, out: FArray,
  argmax: Int32Array | null): void {
  if (n <= 0) throw new Error('reduce: empty axis');
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      if (op === 0) {
        let s = 0;
        for (let k = 0; k < n; k++) s += x[base + k * inner];
        out[o * inner + i] = s;
      } else {
        let m = x[base], mi = 0;
        for (let k = 1; k < n; k++) {
          const v = x[base + k * inner];
          if (v > m || (Number.isNaN(v) && !Number.isNaN(m))) { m = v; mi = k; }
        }
        out[o * inner + i] = m;
        if (argmax) argmax[o * inner + i] = mi;
      }
    }
  }
}

export function sumSquares(x: FArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

export function gemm(a: FArray, aOff: number, b: FArray, bOff: number, c: FArray, cOff: number, m: number, n: number,
  k: number, transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number, beta: number,
  batch: number, strideA: number, strideB: number, strideC: number): void {
  for (let p = 0; p < batch; p++) {
    const ao = aOff + p * strideA, bo = bOff + p * strideB, co = cOff + p * strideC;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = transA ? a[ao + q * lda + i] : a[ao + i * lda + q];
          const bv = transB ? b[bo + j * ldb + q] : b[bo + q * ldb + j];
          s += av * bv;
        }
        const ci = co + i * ldc + j;
        c[ci] = beta === 0 ? alpha * s : alpha * s + beta * c[ci];
      }
    }
  }
}
