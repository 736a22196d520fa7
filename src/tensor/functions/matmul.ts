/**
 * functions/matmul.ts — (batched, broadcasting) matrix multiply and the fused Linear
 * (y = x W^T + b, PyTorch weight layout), forward + backward, on the backend GEMM.
 * Transposed views reach GEMM as trans flags instead of copies.
 */
import { noGrad, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmt, K, prod, sameFloat } from './util.js';
import { broadcastTo, contiguous, copyInto, reshape, sumTo, transpose } from './view.js';

interface MatOperand { t: Tensor; trans: boolean; ld: number }

/** View the last two dims as a GEMM operand: row-major (ld = row stride) or transposed. */
function operand(t: Tensor): MatOperand {
  const n = t.ndim, s0 = t.strides[n - 2], s1 = t.strides[n - 1];
  if (s1 === 1 && s0 >= t.shape[n - 1]) return { t, trans: false, ld: Math.max(s0, 1) };
  if (s0 === 1 && s1 >= t.shape[n - 2]) return { t, trans: true, ld: Math.max(s1, 1) };
  const c = contiguous(t);
  return { t: c, trans: false, ld: Math.max(t.shape[n - 1], 1) };
}

/** One stride over flattened batch dims, or null when the batch dims do not flatten. */
function batchStride(t: Tensor, batchShape: readonly number[]): number | null {
  const lead = batchShape.length - (t.ndim - 2);
  let stride: number | null = null, expect = 0;
  for (let i = batchShape.length - 1; i >= 0; i--) {
    const d = i - lead;
    const size = d >= 0 ? t.shape[d] : 1;
    if (batchShape[i] === 1) continue;
    if (size === 1) { if (stride === null || stride === 0) { stride = 0; continue; } return null; }
    const s = t.strides[d];
    if (stride === null) { stride = s; expect = s * size; continue; }
    if (stride === 0 || s !== expect) return null;
    expect = s * size;
  }
  return stride ?? 0;
}

/** A contiguous copy broadcast to the full batch shape (when batch dims mix broadcast and strides). */
function materialize(t: Tensor, batchShape: number[]): Tensor {
  return noGrad(() => contiguous(broadcastTo(t, [...batchShape, ...t.shape.slice(-2)])));
}

function gemmInto(out: Tensor, a: Tensor, b: Tensor, batchShape: number[]): void {
  const M = a.shape[a.ndim - 2], Kd = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  let A = operand(a), B = operand(b);
  let sA = batchStride(A.t, batchShape), sB = batchStride(B.t, batchShape);
  if (sA === null) { A = operand(materialize(A.t, batchShape)); sA = batchStride(A.t, batchShape) ?? 0; }
  if (sB === null) { B = operand(materialize(B.t, batchShape)); sB = batchStride(B.t, batchShape) ?? 0; }
  const batch = prod(batchShape);
  if (M === 0 || N === 0 || batch === 0) return;
  if (Kd === 0) { out.data.fill(0); return; }
  // A shared B with a row-major, evenly strided A: fold the batch into M (one big GEMM).
  if (sB === 0 && !A.trans && batch > 1 && sA === M * A.ld) {
    K(a).gemm(A.t.data as Float32Array, A.t.offset, B.t.data as Float32Array, B.t.offset, out.data as Float32Array, 0,
      batch * M, N, Kd, false, B.trans, A.ld, B.ld, N, 1, 0, 1, 0, 0, 0);
    return;
  }
  K(a).gemm(A.t.data as Float32Array, A.t.offset, B.t.data as Float32Array, B.t.offset, out.data as Float32Array, 0,
    M, N, Kd, A.trans, B.trans, A.ld, B.ld, N, 1, 0, batch, sA, sB, M * N);
}

/** a (..., M, K) @ b (..., K, N) -> (..., M, N); 1-D operands are not promoted. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  a.check('matmul a');
  b.check('matmul b');
  sameFloat(a, b, 'matmul');
  if (a.ndim < 2 || b.ndim < 2) throw new RangeError(`matmul: operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const M = a.shape[a.ndim - 2], Kd = a.shape[a.ndim - 1], K2 = b.shape[b.ndim - 2], N = b.shape[b.ndim - 1];
  if (Kd !== K2) throw new RangeError(`matmul: inner dims differ: ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul batch');
  const out = Tensor.empty([...batchShape, M, N], a.dtype);
  gemmInto(out, a, b, batchShape);
  return record('matmul', out, [a, b], (g) => {
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a.requiresGrad) da = sumTo(matmul(g, transpose(b)), a.shape);
    if (b.requiresGrad) {
      if (b.ndim === 2 && a.ndim > 2) {
        // dB = A_flat^T @ G_flat: one GEMM over all batch rows.
        db = matmul(transpose(reshape(contiguous(a), [-1, Kd])), reshape(g, [-1, N]));
      } else {
        db = sumTo(matmul(transpose(a), g), b.shape);
      }
    }
    return [da, db];
  });
}

/**
 * linear's output before the product (shared with linearHalf): checks the bias, then holds it
 * broadcast over x's rows (the GEMM adds onto it with beta = 1), or zeros when in = 0.
 */
export function linearOutput(x: Tensor, outF: number, inF: number, b: Tensor | null): Tensor {
  if (b && (b.ndim !== 1 || b.shape[0] !== outF)) throw new RangeError(`linear: bias ${fmt(b.shape)} must be [${outF}]`);
  const rows = prod(x.shape, 0, x.ndim - 1);
  const out = Tensor.empty([...x.shape.slice(0, -1), outF], x.dtype);
  if (b && rows > 0) noGrad(() => copyInto(reshape(out, [rows, outF]), broadcastTo(b, [rows, outF]), false));
  else if (inF === 0) out.data.fill(0);
  return out;
}

/** y = x W^T + b with x (..., in), W (out, in), b (out); bias is written first and GEMM adds onto it. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  x.check('linear input');
  w.check('linear weight');
  sameFloat(x, w, 'linear');
  const inF = w.shape[1], outF = w.shape[0];
  if (w.ndim !== 2 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`linear: input ${fmt(x.shape)} does not match weight ${fmt(w.shape)} (out, in)`);
  }
  const xc = contiguous(x);
  const rows = prod(x.shape, 0, x.ndim - 1);
  const out = linearOutput(x, outF, inF, b);
  const wc = contiguous(w);
  if (rows > 0 && inF > 0) {
    K(x).gemm(xc.data as Float32Array, xc.offset, wc.data as Float32Array, wc.offset, out.data as Float32Array, 0,
      rows, outF, inF, false, true, inF, inF, outF, 1, b ? 1 : 0, 1, 0, 0, 0);
  }
  const inputs = b ? [x, w, b] : [x, w];
  return record('linear', out, inputs, (g) => {
    const g2 = reshape(g, [rows, outF]);
    const dx = x.requiresGrad ? reshape(matmul(g2, wc), x.shape) : null;
    const dw = w.requiresGrad ? matmul(transpose(g2), reshape(xc, [rows, inF])) : null;
    const db = b && b.requiresGrad ? sumTo(g2, [outF]) : null;
    return b ? [dx, dw, db] : [dx, dw];
  });
}
