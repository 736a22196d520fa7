/**
 * functions/util.ts — helpers shared by the tensor functions: kernel dispatch by dtype,
 * broadcasting, dimension collapsing for strided kernels, and argument checks.
 */
import { kernelsFor, type Backend } from '../../backend/index.js';
import type { FArray } from '../../backend/backend.js';
import { deviceBackend, DeviceArray } from '../device.js';
import { Tensor, type Shape } from '../tensor.js';

/** The kernels for ops over t: the device's when t lives on a GPU, else the host backend for its dtype. */
export function K(t: Tensor): Backend {
  return t.data instanceof DeviceArray ? deviceBackend(t.data) : kernelsFor(t.dtype);
}

/** The elements as a flat float array: zero-copy when contiguous, else a kernel copy. */
export function floatData(t: Tensor, what: string): FArray {
  t.check(what);
  if (t.dtype === 'i32') throw new TypeError(`${what} must be a float tensor, got i32`);
  return (t.isContiguous() ? t : contiguousHook(t)).storage() as FArray;
}

// Late-bound: view.ts imports util.ts.
let contiguousHook: (t: Tensor) => Tensor = (t) => t;
export function bindContiguous(f: (t: Tensor) => Tensor): void {
  contiguousHook = f;
}

/** Product of shape[from, to). */
export function prod(shape: Shape, from = 0, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i];
  return p;
}

export function intData(t: Tensor, what: string): Int32Array {
  t.check(what);
  if (t.dtype !== 'i32') throw new TypeError(`${what} must be an i32 tensor, got ${t.dtype}`);
  return (t.isContiguous() ? t : contiguousHook(t)).storage() as Int32Array;
}

export function sameFloat(a: Tensor, b: Tensor, op: string): void {
  if (a.dtype !== b.dtype) throw new TypeError(`${op}: dtype mismatch (${a.dtype} vs ${b.dtype})`);
  if (a.dtype === 'i32') throw new TypeError(`${op}: float tensors required`);
  samePlace(op, a, b);
}

/** Every operand of an op on the host, or every one on the GPU (kernels cannot mix them). */
export function samePlace(op: string, a: Tensor, ...others: (Tensor | null | undefined)[]): void {
  for (const b of others) {
    if (b && b.onDevice !== a.onDevice) {
      throw new TypeError(`${op}: ${a.onDevice ? b : a} is in host memory and ${a.onDevice ? a : b} on the GPU; create both ` +
        'while the same device is in use (useDevice / onDevice)');
    }
  }
}

export function normAxis(axis: number, ndim: number, op: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new RangeError(`${op}: axis ${axis} out of range for rank ${ndim}`);
  return a;
}

export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of t aligned to out shape, 0 on broadcast dims. */
export function broadcastStrides(t: Tensor, out: Shape): number[] {
  const n = out.length, off = n - t.ndim;
  const s = new Array<number>(n).fill(0);
  for (let i = 0; i < t.ndim; i++) s[off + i] = t.shape[i] === 1 && out[off + i] !== 1 ? 0 : t.strides[i];
  return s;
}

/** Merge adjacent dims that are contiguous for every stride set; drops size-1 dims. */
export function collapse(shape: Shape, strideSets: number[][]): { shape: Int32Array; strides: Int32Array[] } {
  const dims: number[] = [];
  const sets: number[][] = strideSets.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strideSets.every((s, i) => sets[i][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strideSets.forEach((s, i) => { sets[i][last] = s[d]; });
    } else {
      dims.push(shape[d]);
      strideSets.forEach((s, i) => sets[i].push(s[d]));
    }
  }
  if (dims.length === 0) { dims.push(1); sets.forEach((s) => s.push(1)); }
  return { shape: Int32Array.from(dims), strides: sets.map((s) => Int32Array.from(s)) };
}

export function shapeEq(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
