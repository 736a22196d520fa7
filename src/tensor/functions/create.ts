/**
 * functions/create.ts — tensor factories: from data, constants, ranges and seeded random fills.
 */
import { Rng } from '../random.js';
import type { DType } from '../storage.js';
import { checkShape, sizeOf, Tensor, type Shape } from '../tensor.js';
import { fmt } from './util.js';

export function tensor(values: ArrayLike<number>, shape?: Shape, dtype: DType = 'f32'): Tensor {
  const s = shape ?? [values.length];
  checkShape(s);
  if (sizeOf(s) !== values.length) throw new RangeError(`tensor: ${values.length} values do not fill shape ${fmt(s)}`);
  const t = Tensor.empty(s, dtype);
  t.data.set(values);
  return t;
}

export function scalar(v: number, dtype: DType = 'f32'): Tensor {
  return tensor([v], [], dtype);
}

export function zeros(shape: Shape, dtype: DType = 'f32'): Tensor {
  return Tensor.empty(shape, dtype, true);
}

export function full(shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
  const t = Tensor.empty(shape, dtype);
  t.data.fill(value);
  return t;
}

export function ones(shape: Shape, dtype: DType = 'f32'): Tensor {
  return full(shape, 1, dtype);
}

export function arange(n: number, dtype: DType = 'i32'): Tensor {
  return filled([n], dtype, (i) => i);
}

/** A tensor whose element i is f(i), computed on the host (then uploaded for a device tensor). */
function filled(shape: Shape, dtype: DType, f: (i: number) => number): Tensor {
  const t = Tensor.empty(shape, dtype);
  const n = t.size;
  const host = t.onDevice ? (dtype === 'i32' ? new Int32Array(n) : new Float32Array(n)) : t.host;
  for (let i = 0; i < n; i++) host[i] = f(i);
  if (t.onDevice) t.data.set(host);
  return t;
}

export interface RandOpts { rng: Rng; mean?: number; std?: number; dtype?: DType }

export function randn(shape: Shape, o: RandOpts): Tensor {
  const m = o.mean ?? 0, s = o.std ?? 1;
  return filled(shape, o.dtype ?? 'f32', () => m + s * o.rng.normal());
}

/** Normal(mean, std) truncated at ±`bound` standard deviations (CM3Leon: std 0.006, 3σ). */
export function truncNormal(shape: Shape, o: RandOpts & { bound?: number }): Tensor {
  const m = o.mean ?? 0, s = o.std ?? 1, b = o.bound ?? 2;
  return filled(shape, o.dtype ?? 'f32', () => m + s * o.rng.truncNormal(-b, b));
}

export function uniform(shape: Shape, o: { rng: Rng; low?: number; high?: number; dtype?: DType }): Tensor {
  const lo = o.low ?? 0, hi = o.high ?? 1;
  return filled(shape, o.dtype ?? 'f32', () => lo + (hi - lo) * o.rng.uniform());
}

/** Random integers in [0, high). */
export function randint(shape: Shape, high: number, rng: Rng): Tensor {
  return filled(shape, 'i32', () => rng.int(high));
}
