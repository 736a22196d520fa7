/**
 * functions/arith.ts — broadcasting add/sub/mul/div, scalar affine ops and the unary
 * activations (exp, log, sqrt, tanh, relu, gelu, silu, sigmoid, abs, neg), forward + backward.
 */
import { BinaryOp, UnaryOp, type UnaryName } from '../../backend/backend.js';
import { noGrad, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides, collapse, floatData, K, sameFloat, shapeEq } from './util.js';
import { copyInto, reshape, sumTo } from './view.js';

function binary(op: number, name: string, a: Tensor, b: Tensor): Tensor {
  a.check(`${name} a`);
  b.check(`${name} b`);
  sameFloat(a, b, name);
  const shape = broadcastShapes(a.shape, b.shape, name);
  const out = Tensor.empty(shape, a.dtype);
  const c = collapse(shape, [broadcastStrides(a, shape), broadcastStrides(b, shape)]);
  K(a).binary(op, a.data as Float32Array, a.offset, c.strides[0], b.data as Float32Array, b.offset, c.strides[1],
    out.data as Float32Array, c.shape);
  return out;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const out = binary(BinaryOp.add, 'add', a, b);
  return record('add', out, [a, b], (g) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(g, b.shape) : null]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const out = binary(BinaryOp.sub, 'sub', a, b);
  return record('sub', out, [a, b], (g) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(neg(g), b.shape) : null]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const out = binary(BinaryOp.mul, 'mul', a, b);
  return record('mul', out, [a, b], (g) => [
    a.requiresGrad ? sumTo(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(mul(g, a), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  const out = binary(BinaryOp.div, 'div', a, b);
  return record('div', out, [a, b], (g) => [
    a.requiresGrad ? sumTo(div(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(neg(div(mul(g, out), b)), b.shape) : null,
  ]);
}

/** alpha * x + beta (elementwise). */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  const xd = floatData(x, 'affine input');
  const out = Tensor.empty(x.shape, x.dtype);
  K(x).affine(xd, out.data as Float32Array, x.size, alpha, beta);
  return record('affine', out, [x], (g) => [affine(g, alpha)]);
}

export const mulScalar = (x: Tensor, s: number): Tensor => affine(x, s, 0);
export const addScalar = (x: Tensor, s: number): Tensor => affine(x, 1, s);

function unary(name: UnaryName, x: Tensor): Tensor {
  const xd = floatData(x, `${name} input`);
  const op = UnaryOp[name];
  const out = Tensor.empty(x.shape, x.dtype);
  K(x).unary(op, xd, out.data as Float32Array, x.size);
  return record(name, out, [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    K(x).unaryBackward(op, xd, out.data as Float32Array, floatData(g, `${name} grad`), dx.data as Float32Array, x.size);
    return [dx];
  });
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** GELU, tanh approximation. */
export const gelu = (x: Tensor): Tensor => unary('gelu', x);
export const silu = (x: Tensor): Tensor => unary('silu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const square = (x: Tensor): Tensor => mul(x, x);

/** In-place dst += src (same number of elements; no autograd). Used for gradient accumulation. */
export function addInPlace(dst: Tensor, src: Tensor): void {
  if (dst.size !== src.size) throw new RangeError('addInPlace: size mismatch');
  copyInto(dst, shapeEq(dst.shape, src.shape) ? src : noGrad(() => reshape(src, dst.shape)), true);
}
