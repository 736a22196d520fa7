/**
 * native/index.ts — the native backend: adapts the C++ addon to the Backend interface (float32
 * only; the tensor layer routes float64 to the reference backend).
 */
import type { AttnShape, Backend, BTHD, FArray } from '../backend.js';
import { loadNative } from './binding.js';

function f32(x: FArray, what: string): Float32Array {
  if (!(x instanceof Float32Array)) throw new TypeError(`native backend: ${what} must be float32`);
  return x;
}
const opt = (x: FArray | null, what: string) => (x ? f32(x, what) : null);
const b2n = (b: boolean) => (b ? 1 : 0);

function attnArgs(q: BTHD, k: BTHD, v: BTHD, prefix = ''): (Float32Array | number)[] {
  return [q, k, v].flatMap((x, i) => [f32(x.data, `${prefix}${'qkv'[i]}`), x.sB, x.sT, x.sH]);
}
function shapeArgs(s: AttnShape): (Float32Array | number | null)[] {
  return [s.B, s.Tq, s.Tk, s.H, s.D, b2n(s.causal), s.scale, opt(s.keyMask, 'keyMask')];
}

export function createNativeBackend(): Backend {
  const n = loadNative();
  const scratch = new Float64Array(1);
  return {
    name: 'native',
    gemm: (a, aOff, b, bOff, c, cOff, m, nn, k, ta, tb, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC) =>
      n.gemm(f32(a, 'A'), aOff, f32(b, 'B'), bOff, f32(c, 'C'), cOff, m, nn, k, b2n(ta), b2n(tb), lda, ldb, ldc, alpha,
        beta, batch, sA, sB, sC),
    unary: (op, x, out, len) => n.unary(op, f32(x, 'x'), f32(out, 'out'), len),
    unaryBackward: (op, x, y, dy, dx, len) => n.unaryBackward(op, f32(x, 'x'), f32(y, 'y'), f32(dy, 'dy'), f32(dx, 'dx'), len),
    binary: (op, a, aOff, aS, b, bOff, bS, out, shape) =>
      n.binary(op, f32(a, 'a'), aOff, aS, f32(b, 'b'), bOff, bS, f32(out, 'out'), shape),
    affine: (x, out, len, alpha, beta) => n.affine(f32(x, 'x'), f32(out, 'out'), len, alpha, beta),
    copy: (src, sOff, sS, dst, dOff, dS, shape, acc) => n.copy(f32(src, 'src'), sOff, sS, f32(dst, 'dst'), dOff, dS, shape, b2n(acc)),
    reduce: (op, x, outer, len, inner, out, arg) => n.reduce(op, f32(x, 'x'), outer, len, inner, f32(out, 'out'), arg),
    sumSquares: (x, len) => { n.sumSquares(f32(x, 'x'), len, scratch); return scratch[0]; },
    softmax: (x, out, rows, len, log) => n.softmax(f32(x, 'x'), f32(out, 'out'), rows, len, b2n(log)),
    softmaxBackward: (y, dy, dx, rows, len, log) => n.softmaxBackward(f32(y, 'y'), f32(dy, 'dy'), f32(dx, 'dx'), rows, len, b2n(log)),
    layerNorm: (x, w, b, out, mean, rstd, rows, len, eps) =>
      n.layerNorm(f32(x, 'x'), opt(w, 'w'), opt(b, 'b'), f32(out, 'out'), f32(mean, 'mean'), f32(rstd, 'rstd'), rows, len, eps),
    layerNormBackward: (x, w, mean, rstd, dy, dx, dw, db, rows, len) =>
      n.layerNormBackward(f32(x, 'x'), opt(w, 'w'), f32(mean, 'mean'), f32(rstd, 'rstd'), f32(dy, 'dy'), f32(dx, 'dx'),
        opt(dw, 'dw'), opt(db, 'db'), rows, len),
    rmsNorm: (x, w, out, rstd, rows, len, eps) => n.rmsNorm(f32(x, 'x'), opt(w, 'w'), f32(out, 'out'), f32(rstd, 'rstd'), rows, len, eps),
    rmsNormBackward: (x, w, rstd, dy, dx, dw, rows, len) =>
      n.rmsNormBackward(f32(x, 'x'), opt(w, 'w'), f32(rstd, 'rstd'), f32(dy, 'dy'), f32(dx, 'dx'), opt(dw, 'dw'), rows, len),
    gather: (src, outer, size, inner, idx, len, out) => n.gather(f32(src, 'src'), outer, size, inner, idx, len, f32(out, 'out')),
    scatterAdd: (g, outer, size, inner, idx, len, dst) => n.scatterAdd(f32(g, 'g'), outer, size, inner, idx, len, f32(dst, 'dst')),
    attention: (q, k, v, out, lse, s) => n.attention(...attnArgs(q, k, v), f32(out, 'out'), f32(lse, 'lse'), ...shapeArgs(s)),
    attentionBackward: (q, k, v, out, lse, dout, dq, dk, dv, s) =>
      n.attentionBackward(...attnArgs(q, k, v), f32(out, 'out'), f32(lse, 'lse'), f32(dout, 'dout'), ...attnArgs(dq, dk, dv, 'd'),
        ...shapeArgs(s)),
    crossEntropy: (x, rows, V, t, w, ignore, lse, rowLoss) =>
      n.crossEntropy(f32(x, 'logits'), rows, V, t, opt(w, 'weights'), ignore, f32(lse, 'lse'), f32(rowLoss, 'rowLoss')),
    crossEntropyBackward: (x, rows, V, t, w, ignore, lse, scale, dx) =>
      n.crossEntropyBackward(f32(x, 'logits'), rows, V, t, opt(w, 'weights'), ignore, f32(lse, 'lse'), scale, f32(dx, 'dlogits')),
    adamw: (p, g, m, v, len, lr, b1, b2, eps, wd, step) =>
      n.adamw(f32(p, 'param'), f32(g, 'grad'), f32(m, 'm'), f32(v, 'v'), len, lr, b1, b2, eps, wd, step),
    vqNearest: (x, N, D, c, K, idx, dist) => n.vqNearest(f32(x, 'x'), N, D, f32(c, 'codebook'), K, idx, f32(dist, 'dist')),
  };
}
