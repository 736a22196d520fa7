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
export interface BTHD<F = FArray> { data: F; sB: number; sT: number; sH: number }

export interface AttnShape<F = FArray> {
  B: number; Tq: number; Tk: number; H: number; D: number;
  causal: boolean; scale: number;
  /** (B, Tk) 1 = attend, 0 = padding; null for none. */
  keyMask: F | null;
}

/**
 * F is the float array type and I the index array type: host typed arrays for the CPU backends,
 * device buffer views (webgpu/runtime.ts GArr) for the WebGPU kernels.
 */
export interface Backend<F = FArray, I = Int32Array> {
  readonly name: string;
  /** C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b], row-major, for b < batch. */
  gemm(a: F, aOff: number, b: F, bOff: number, c: F, cOff: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number, beta: number,
    batch: number, strideA: number, strideB: number, strideC: number): void;
  unary(op: number, x: F, out: F, n: number): void;
  /** dx = dy * f'(x), given the forward input x and output y. */
  unaryBackward(op: number, x: F, y: F, dy: F, dx: F, n: number): void;
  /** out (contiguous over shape) = a op b; strides are element strides, 0 on broadcast dims. */
  binary(op: number, a: F, aOff: number, aStrides: Int32Array, b: F, bOff: number, bStrides: Int32Array,
    out: F, shape: Int32Array): void;
  /** out = alpha * x + beta */
  affine(x: F, out: F, n: number, alpha: number, beta: number): void;
  /** dst[view] = (or +=) src[view], both strided over shape. */
  copy(src: F, srcOff: number, srcStrides: Int32Array, dst: F, dstOff: number, dstStrides: Int32Array,
    shape: Int32Array, accumulate: boolean): void;
  /** Reduce the middle axis of contiguous (outer, n, inner); op sum or max (argmax optional). */
  reduce(op: number, x: F, outer: number, n: number, inner: number, out: F, argmax: I | null): void;
  sumSquares(x: F, n: number): number;
  softmax(x: F, out: F, rows: number, n: number, log: boolean): void;
  softmaxBackward(y: F, dy: F, dx: F, rows: number, n: number, log: boolean): void;
  layerNorm(x: F, w: F | null, b: F | null, out: F, mean: F, rstd: F, rows: number,
    n: number, eps: number): void;
  /** dw/db accumulate (+=). */
  layerNormBackward(x: F, w: F | null, mean: F, rstd: F, dy: F, dx: F,
    dw: F | null, db: F | null, rows: number, n: number): void;
  rmsNorm(x: F, w: F | null, out: F, rstd: F, rows: number, n: number, eps: number): void;
  rmsNormBackward(x: F, w: F | null, rstd: F, dy: F, dx: F, dw: F | null,
    rows: number, n: number): void;
  /** out[o, j, :] = src[o, idx[j], :] over (outer, size, inner). */
  gather(src: F, outer: number, size: number, inner: number, idx: I, n: number, out: F): void;
  /** dst[o, idx[j], :] += g[o, j, :] */
  scatterAdd(g: F, outer: number, size: number, inner: number, idx: I, n: number, dst: F): void;
  /** out (B, Tq, H, D) contiguous; lse (B, H, Tq). */
  attention(q: BTHD<F>, k: BTHD<F>, v: BTHD<F>, out: F, lse: F, s: AttnShape<F>): void;
  /** out/dout contiguous; dq (B,Tq,H,D), dk and dv (B,Tk,H,D) strided (e.g. slices of one dqkv), overwritten. */
  attentionBackward(q: BTHD<F>, k: BTHD<F>, v: BTHD<F>, out: F, lse: F, dout: F, dq: BTHD<F>, dk: BTHD<F>,
    dv: BTHD<F>, s: AttnShape<F>): void;
  /** Per-row lse and weighted loss w_r * (lse_r - x[r, t_r]) (0 where ignored). */
  crossEntropy(logits: F, rows: number, V: number, targets: I, weights: F | null,
    ignoreIndex: number, lse: F, rowLoss: F): void;
  crossEntropyBackward(logits: F, rows: number, V: number, targets: I, weights: F | null,
    ignoreIndex: number, lse: F, scale: number, dlogits: F): void;
  /** In-place AdamW (PyTorch formulation, decoupled weight decay); step counts from 1. */
  adamw(p: F, g: F, m: F, v: F, n: number, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, step: number): void;
  /** Nearest code (squared L2) for each row of x (N, D) in codebook (K, D). */
  vqNearest(x: F, N: number, D: number, codebook: F, K: number, idx: I, dist: F): void;
}
