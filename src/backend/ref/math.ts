/**
 * ref/math.ts — scalar definitions shared by the reference kernels: the spec the native
 * kernels (native/vmath.h, native/kernels/elementwise.cc) must match.
 */
import { UnaryOp } from '../backend.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** GELU, tanh approximation (GPT-2 / PyTorch approximate='tanh'). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x)));
}

export function geluGrad(x: number): number {
  const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
  const du = GELU_C * (1 + 3 * GELU_A * x * x);
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
}

export function unaryFn(op: number): (x: number) => number {
  switch (op) {
    case UnaryOp.neg: return (x) => -x;
    case UnaryOp.exp: return Math.exp;
    case UnaryOp.log: return Math.log;
    case UnaryOp.sqrt: return Math.sqrt;
    case UnaryOp.tanh: return Math.tanh;
    case UnaryOp.relu: return (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0);
    case UnaryOp.gelu: return gelu;
    case UnaryOp.silu: return (x) => x * sigmoid(x);
    case UnaryOp.sigmoid: return sigmoid;
    case UnaryOp.abs: return Math.abs;
    default: throw new Error(`unary: unknown op ${op}`);
  }
}

/** dx = dy * f'(x) from input x and output y. */
export function unaryGradFn(op: number): (x: number, y: number, dy: number) => number {
  switch (op) {
    case UnaryOp.neg: return (_x, _y, g) => -g;
    case UnaryOp.exp: return (_x, y, g) => g * y;
    case UnaryOp.log: return (x, _y, g) => g / x;
    case UnaryOp.sqrt: return (_x, y, g) => (g * 0.5) / y;
    case UnaryOp.tanh: return (_x, y, g) => g * (1 - y * y);
    case UnaryOp.relu: return (x, _y, g) => (x > 0 ? g : 0);
    case UnaryOp.gelu: return (x, _y, g) => g * geluGrad(x);
    case UnaryOp.silu: return (x, _y, g) => { const s = sigmoid(x); return g * s * (1 + x * (1 - s)); };
    case UnaryOp.sigmoid: return (_x, y, g) => g * y * (1 - y);
    case UnaryOp.abs: return (x, _y, g) => (x > 0 ? g : x < 0 ? -g : 0);
    default: throw new Error(`unaryBackward: unknown op ${op}`);
  }
}
