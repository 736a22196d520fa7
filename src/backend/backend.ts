/**
 * backend.ts — the one interface every compute backend implements (native C++/OpenBLAS, plain
 * TypeScript reference, later WebGPU). Kernels see flat typed arrays plus integer shapes/strides;
 * only src/tensor turns tensors into these calls. Shape legend: B batch, T tokens, H heads,
 * D head size, V vocabulary. Op codes are shared with native/kernels/kernels.h.
 */
export type FArray = Float32Array | Float64Array;

export const UnaryOp = { neg: 0, exp: 1, log: 2, sqrt: 3, tanh: 4, relu: 5, gelu: 6, silu: 7, sigmoid: 8, abs: 9 } as const;
export type UnaryName = keyof typeof UnaryOp;
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryName = keyof typeof BinaryOp;
export const ReduceOp = { sum: 0, max: 1 } as const;

/** A (B, T, H, D) operand with unit stride over D. */
export interface BTHD { data: FArray; sB: number; sT: number; sH: number }

export interface AttnShape {
  B: number; Tq: number; Tk: number; H: number; D: number;
  causal: boolean; scale: number;
  /** (B, Tk) 1 = attend, 0 = padding; null for none. */
  keyMask: FArray | null;
}

export interface Backend {
  readonly name: string;
  /** C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b], row-major, for b < batch. */
  gemm(a: FArray, aOff: number, b: FArray, bOff: number, c: FArray, cOff: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number, beta: number,
    batch: number, strideA: number, strideB: number, strideC: number): void;
  unary(op: number, x: FArray, out: FArray, n: number): void;
  /** dx = dy * f'(x), given the forward input x and output y. */
  unaryBackward(op: number, x: FArray, y: FArray, dy: FArray, dx: FArray, n: number): void;
  /** out (contiguous over shape) = a op b; strides are element strides, 0 on broadcast dims. */
  binary(op: number, a: FArray, aOff: number, aStrides: Int32Array, b: FArray, bOff: number, bStrides: Int32Array,
    out: FArray, shape: Int32Array): void;
  /** out = alpha * x + beta */
  affine(x: FArray, out: FArray, n: number, alpha: number, beta: number): void;
  /** dst[view] = (or +=) src[view], both strided over shape. */
  copy(src: FArray, srcOff: number, srcStrides: Int32Array, dst: FArray, dstOff: number, dstStrides: Int32Array,
    shape: Int32Array, accumulate: boolean): void;
  /** Reduce the middle axis of contiguous (outer, n, inner); op sum or max (argmax optional). */
  reduce(op: number, x: FArray, outer: number, n: number, inner: number, out: FArray, argmax: Int32Array | null): void;
  sumSquares(x: FArray, n: number): number;
  softmax(x: FArray, out: FArray, rows: number, n: number, log: boolean): void;
  softmaxBackward(y: FArray, dy: FArray, dx: FArray, rows: number, n: number, log: boolean): void;
  layerNorm(x: FArray, w: FArray | null, b: FArray | null, out: FArray, mean: FArray, rstd: FArray, rows: number,
    n: number, eps: number): void;
  /** dw/db accumulate (+=). */
  layerNormBackward(x: FArray, w: FArray | null, mean: FArray, rstd: FArray, dy: FArray, dx: FArray,
    dw: FArray | null, db: FArray | null, rows: number, n: number): void;
  rmsNorm(x: FArray, w: FArray | null, out: FArray, rstd: FArray, rows: number, n: number, eps: number): void;
  rmsNormBackward(x: FArray, w: FArray | null, rstd: FArray, dy: FArray, dx: FArray, dw: FArray | null,
    rows: number, n: number): void;
  /** out[o, j, :] = src[o, idx[j], :] over (outer, size, inner). */
  gather(src: FArray, outer: number, size: number, inner: number, idx: Int32Array, n: number, out: FArray): void;
  /** dst[o, idx[j], :] += g[o, j, :] */
  scatterAdd(g: FArray, outer: number, size: number, inner: number, idx: Int32Array, n: number, dst: FArray): void;
  /** out (B, Tq, H, D) contiguous; lse (B, H, Tq). */
  attention(q: BTHD, k: BTHD, v: BTHD, out: FArray, lse: FArray, s: AttnShape): void;
  /** out/dout contiguous; dq (B,Tq,H,D), dk and dv (B,Tk,H,D) strided (e.g. slices of one dqkv), overwritten. */
  attentionBackward(q: BTHD, k: BTHD, v: BTHD, out: FArray, lse: FArray, dout: FArray, dq: BTHD, dk: BTHD,
    dv: BTHD, s: AttnShape): void;
  /** Per-row lse and weighted loss w_r * (lse_r - x[r, t_r]) (0 where ignored). */
  crossEntropy(logits: FArray, rows: number, V: number, targets: Int32Array, weights: FArray | null,
    ignoreIndex: number, lse: FArray, rowLoss: FArray): void;
  crossEntropyBackward(logits: FArray, rows: number, V: number, targets: Int32Array, weights: FArray | null,
    ignoreIndex: number, lse: FArray, scale: number, dlogits: FArray): void;
  /** In-place AdamW (PyTorch formulation, decoupled weight decay); step counts from 1. */
  adamw(p: FArray, g: FArray, m: FArray, v: FArray, n: number, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, step: number): void;
  /** Nearest code (squared L2) for each row of x (N, D) in codebook (K, D). */
  vqNearest(x: FArray, N: number, D: number, codebook: FArray, K: number, idx: Int32Array, dist: FArray): void;
}
