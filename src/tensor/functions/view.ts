/**
 * functions/view.ts — views that share storage (reshape, transpose, permute, slice, broadcastTo)
 * and the copies that end them (contiguous, detach, concat). Backward of a view maps the
 * gradient back into the input's shape.
 */
import { noGrad, record } from '../autograd.js';
import { copyStorage } from '../storage.js';
import { contiguousStrides, sizeOf, Tensor, type Shape } from '../tensor.js';
import { bindContiguous, broadcastShapes, broadcastStrides, collapse, fmt, K, normAxis, shapeEq } from './util.js';

function view(t: Tensor, shape: Shape, strides: Shape, offset: number): Tensor {
  t.check('view input');
  return new Tensor(t.data, t.dtype, shape, strides, offset, t.owner);
}

/** A contiguous copy (or t itself when already contiguous). */
export function contiguous(t: Tensor): Tensor {
  t.check('contiguous input');
  if (t.isContiguous()) return t;
  const out = Tensor.empty(t.shape, t.dtype);
  copyInto(out, t, false);
  return record('contiguous', out, [t], (g) => [g]);
}

export function reshape(t: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) s[neg] = t.size / sizeOf(s.filter((_, i) => i !== neg));
  if (!s.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(s) !== t.size) {
    throw new RangeError(`reshape: cannot view ${fmt(t.shape)} (${t.size} elements) as ${fmt(shape)}`);
  }
  const src = contiguous(t);
  const out = view(src, s, contiguousStrides(s), src.offset);
  return record('reshape', out, [src], (g) => [reshape(g, src.shape)]);
}

/** Split axis into `sizes` (product must match) — always a view, even for strided input. */
export function unflatten(t: Tensor, axis: number, sizes: readonly number[]): Tensor {
  const a = normAxis(axis, t.ndim, 'unflatten');
  if (sizeOf(sizes) !== t.shape[a]) throw new RangeError(`unflatten: ${fmt(sizes)} does not multiply to ${t.shape[a]}`);
  const inner = contiguousStrides(sizes).map((s) => s * t.strides[a]);
  const out = view(t, [...t.shape.slice(0, a), ...sizes, ...t.shape.slice(a + 1)],
    [...t.strides.slice(0, a), ...inner, ...t.strides.slice(a + 1)], t.offset);
  return record('unflatten', out, [t], (g) => [reshape(g, t.shape)]);
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== t.ndim) throw new RangeError(`permute: expected ${t.ndim} dims, got ${dims.length}`);
  const d = dims.map((x) => normAxis(x, t.ndim, 'permute'));
  if (new Set(d).size !== d.length) throw new RangeError(`permute: repeated dims ${fmt(dims)}`);
  const out = view(t, d.map((i) => t.shape[i]), d.map((i) => t.strides[i]), t.offset);
  const inv = new Array<number>(d.length);
  d.forEach((x, i) => { inv[x] = i; });
  return record('permute', out, [t], (g) => [permute(g, inv)]);
}

export function transpose(t: Tensor, a = -2, b = -1): Tensor {
  const d = t.shape.map((_, i) => i);
  const x = normAxis(a, t.ndim, 'transpose'), y = normAxis(b, t.ndim, 'transpose');
  [d[x], d[y]] = [d[y], d[x]];
  return permute(t, d);
}

/** Elements [start, end) along axis (a view). */
export function slice(t: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normAxis(axis, t.ndim, 'slice');
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= t.shape[a])) {
    throw new RangeError(`slice: [${start}, ${end}) out of range for axis ${a} of size ${t.shape[a]}`);
  }
  const shape = [...t.shape];
  shape[a] = end - start;
  const out = view(t, shape, t.strides, t.offset + start * t.strides[a]);
  return record('slice', out, [t], (g) => {
    const full = Tensor.empty(t.shape, g.dtype, true);
    const region = view(full, shape, full.strides, start * full.strides[a]);
    copyInto(region, g, false);
    return [full];
  });
}

export function split(t: Tensor, sizes: readonly number[], axis = 0): Tensor[] {
  const a = normAxis(axis, t.ndim, 'split');
  if (sizes.reduce((x, y) => x + y, 0) !== t.shape[a]) {
    throw new RangeError(`split: sizes ${fmt(sizes)} do not sum to ${t.shape[a]}`);
  }
  let s = 0;
  return sizes.map((n) => slice(t, a, s, (s += n)));
}

/** A stride-0 view broadcasting t to shape; backward sums over the broadcast dims. */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (!shapeEq(broadcastShapes(t.shape, shape, 'broadcastTo'), shape)) {
    throw new RangeError(`broadcastTo: ${fmt(t.shape)} cannot be broadcast to ${fmt(shape)}`);
  }
  const out = view(t, shape, broadcastStrides(t, shape), t.offset);
  return record('broadcastTo', out, [t], (g) => [sumTo(g, t.shape)]);
}

/** dst (a view) = or += src of the same shape and dtype, via the strided copy kernel (no autograd). */
export function copyInto(dst: Tensor, src: Tensor, accumulate: boolean): void {
  dst.check('copyInto destination');
  src.check('copyInto source');
  if (!shapeEq(src.shape, dst.shape) || src.dtype !== dst.dtype) {
    throw new RangeError(`copyInto: ${src.dtype} ${fmt(src.shape)} into ${dst.dtype} ${fmt(dst.shape)}`);
  }
  if (dst.dtype === 'i32') {
    if (accumulate) throw new TypeError('copyInto: accumulate needs float tensors');
    if (!dst.isContiguous()) throw new Error('copyInto: i32 destination must be contiguous');
    copyStorage(dst.data, src.storage(), dst.offset);
    return;
  }
  const c = collapse(dst.shape, [src.strides, dst.strides]);
  K(dst).copy(src.data as Float32Array, src.offset, c.strides[0], dst.data as Float32Array, dst.offset, c.strides[1],
    c.shape, accumulate);
}

export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new RangeError('concat: no tensors');
  const a = normAxis(axis, ts[0].ndim, 'concat');
  const shape = [...ts[0].shape];
  shape[a] = 0;
  for (const t of ts) {
    if (t.ndim !== shape.length || t.dtype !== ts[0].dtype || t.shape.some((d, i) => i !== a && d !== ts[0].shape[i])) {
      throw new RangeError(`concat: ${fmt(t.shape)} (${t.dtype}) does not match ${fmt(ts[0].shape)} (${ts[0].dtype}) off axis ${a}`);
    }
    shape[a] += t.shape[a];
  }
  const out = Tensor.empty(shape, ts[0].dtype);
  let s = 0;
  for (const t of ts) {
    const region = view(out, t.shape, out.strides, s * out.strides[a]);
    copyInto(region, t, false);
    s += t.shape[a];
  }
  return record('concat', out, [...ts], (g) => split(g, ts.map((t) => t.shape[a]), a));
}

/** A view of the same values that carries no gradient (shares storage; a leaf). */
export function detach(t: Tensor): Tensor {
  t.check('detach input');
  return new Tensor(t.data, t.dtype, t.shape, t.strides, t.offset, t.owner);
}

/** Sum g over broadcast dims so it has `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(reduceSum(g, axes), shape);
}

bindContiguous((t) => noGrad(() => contiguous(t)));

// Late-bound to avoid an import cycle with reduce.ts.
let reduceSum: (t: Tensor, axes: number[]) => Tensor = () => { throw new Error('reduce not loaded'); };
export function bindReduceSum(f: (t: Tensor, axes: number[]) => Tensor): void {
  reduceSum = f;
}
