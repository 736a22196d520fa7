/**
 * tensor.ts — the Tensor: a strided view over typed-array storage plus autograd links.
 * Views (reshape/transpose/permute/slice in functions/view.ts) share their owner's storage.
 * Ops live in functions/*; this file only knows layout, ownership and disposal.
 */
import type { Node } from './autograd.js';
import { DeviceArray } from './device.js';
import type { GpuRuntime } from '../backend/webgpu/runtime.js';
import { allocStorage, releaseStorage, track, type DType, type HostStorage, type Storage } from './storage.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what} must hold non-negative integers, got [${shape.join(', ')}]`);
  }
}

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  data: Storage;
  readonly dtype: DType;
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
  /** The tensor owning `data` (null when this one owns it). */
  readonly base: Tensor | null;
  requiresGrad = false;
  grad: Tensor | null = null;
  node: Node | null = null;
  /** Produced by a recorded op (not a leaf); with node === null its graph has been released. */
  fromOp = false;
  name = '';
  kept = false;
  disposed = false;

  constructor(data: Storage, dtype: DType, shape: Shape, strides?: Shape, offset = 0, base: Tensor | null = null) {
    this.data = data;
    this.dtype = dtype;
    this.shape = [...shape];
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.offset = offset;
    this.base = base;
    track(this);
  }

  /** A new owning tensor with pooled storage (zeroed when zero = true). */
  static empty(shape: Shape, dtype: DType = 'f32', zero = false): Tensor {
    checkShape(shape);
    return new Tensor(allocStorage(dtype, sizeOf(shape), zero), dtype, shape);
  }

  get size(): number { return sizeOf(this.shape); }
  get ndim(): number { return this.shape.length; }
  get owner(): Tensor { return this.base ?? this; }

  isContiguous(): boolean {
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== acc) return false;
      acc *= this.shape[i];
    }
    return true;
  }

  check(what = 'tensor'): this {
    if (this.disposed || this.base?.disposed) {
      throw new Error(`${what} ${this.name || '#' + this.id} was disposed: it was created inside tidy() and not ` +
        'returned or kept (HINT: return it from the tidy callback or call keep()).');
    }
    return this;
  }

  get onDevice(): boolean { return this.data instanceof DeviceArray; }

  /** The GPU runtime holding this tensor, or null for host memory (for onDevice(t.device, ...)). */
  get device(): GpuRuntime | null { return this.data instanceof DeviceArray ? this.data.rt : null; }

  /** The host array behind a host tensor; a device tensor throws (read it with `await t.read()`). */
  get host(): HostStorage {
    if (this.data instanceof DeviceArray) throw new Error(deviceHint(this, 'host data'));
    return this.data;
  }

  /**
   * The elements' storage in row-major order for a kernel: the storage itself (or a view of it) when
   * contiguous, host or device; a non-contiguous host tensor is gathered into a new array.
   */
  storage(): Storage {
    this.check();
    if (this.isContiguous()) {
      return this.offset === 0 && this.data.length === this.size ? this.data : this.data.subarray(this.offset, this.offset + this.size);
    }
    if (this.data instanceof DeviceArray) throw new Error(`internal: ${this} is a non-contiguous device view (make it contiguous first)`);
    const out = this.dtype === 'f32' ? new Float32Array(this.size) : this.dtype === 'f64' ? new Float64Array(this.size) : new Int32Array(this.size);
    const idx = new Array<number>(this.ndim).fill(0);
    for (let i = 0; i < this.size; i++) {
      let o = this.offset;
      for (let d = 0; d < this.ndim; d++) o += idx[d] * this.strides[d];
      out[i] = this.data[o];
      for (let d = this.ndim - 1; d >= 0; d--) { if (++idx[d] < this.shape[d]) break; idx[d] = 0; }
    }
    return out;
  }

  /** The elements as a flat host typed array (a subarray view when contiguous); host tensors only. */
  flat(): HostStorage {
    if (this.data instanceof DeviceArray) throw new Error(deviceHint(this, 'flat()'));
    return this.storage() as HostStorage;
  }

  /** A copy of the elements as a plain number array (row-major). */
  toArray(): number[] {
    return Array.from(this.flat());
  }

  item(): number {
    if (this.size !== 1) throw new RangeError(`item() needs a one-element tensor, got shape [${this.shape.join(', ')}]`);
    return this.flat()[0];
  }

  /** The elements (row-major), from the device when the tensor lives there; waits for recorded work. */
  async read(): Promise<HostStorage> {
    if (!(this.data instanceof DeviceArray)) return this.flat().slice();
    this.check();
    if (!this.isContiguous()) throw new Error(`read(): ${this} is a non-contiguous device view; read contiguous(t) instead`);
    return (this.storage() as DeviceArray).read();
  }

  /** Survive the enclosing tidy() scopes (parameters, optimizer state, caches). */
  keep(): this {
    this.kept = true;
    if (this.base) this.base.kept = true;
    return this;
  }

  /** Release a kept tensor's buffer to the pool (e.g. gradients on zeroGrad). */
  release(): void {
    this.kept = false;
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.base && !this.kept) releaseStorage(this.dtype, this.data);
    this.data = EMPTY[this.dtype];
    this.grad = null;
    this.node = null;
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}]${this.requiresGrad ? ', grad' : ''})`;
  }
}

function deviceHint(t: Tensor, what: string): string {
  return `${what} of ${t.name || '#' + t.id} ${t}: it lives on the GPU; read it with \`await t.read()\``;
}

const EMPTY: Record<DType, Storage> = { f32: new Float32Array(0), f64: new Float64Array(0), i32: new Int32Array(0) };
