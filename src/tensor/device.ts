/// <reference types="@webgpu/types" />
/**
 * tensor/device.ts — tensors resident on a WebGPU device. A device tensor's storage is a
 * DeviceArray (a view of a GPU buffer) instead of a typed array; ops on it only record kernel
 * dispatches (webgpu/kernels.ts), so a whole forward/backward/AdamW step runs without copies and
 * reading a value back is explicit and async (`await t.read()`). While a device is in use
 * (useDevice), every new f32/i32 tensor is allocated on it; f64 stays on the host.
 */
import type { Backend } from '../backend/backend.js';
import { requestGpu } from '../backend/webgpu/gpu.js';
import { createDeviceKernels, type DeviceKernels } from '../backend/webgpu/kernels.js';
import { GpuRuntime, type GArr } from '../backend/webgpu/runtime.js';

/** A view of n 4-byte elements of a device buffer, with the typed-array methods the engine uses. */
export class DeviceArray implements GArr {
  constructor(readonly rt: GpuRuntime, readonly buf: GPUBuffer, readonly off: number, readonly len: number,
    readonly int: boolean) {}

  get length(): number { return this.len; }
  get byteLength(): number { return this.len * 4; }

  subarray(begin = 0, end = this.len): DeviceArray {
    const b = Math.max(0, Math.min(begin, this.len)), e = Math.max(b, Math.min(end, this.len));
    return new DeviceArray(this.rt, this.buf, this.off + b, e - b, this.int);
  }

  /** Copy host values or another device view in at `offset` (in order with recorded work). */
  set(src: ArrayLike<number> | DeviceArray, offset = 0): void {
    if (offset < 0 || offset + src.length > this.len) throw new RangeError(`DeviceArray.set: ${src.length} values at ${offset} overflow ${this.len}`);
    const dst = this.subarray(offset, offset + src.length);
    if (src instanceof DeviceArray) {
      if (src.buf !== this.buf) { this.rt.copyBuffer(src, dst, src.len); return; }
      // WebGPU forbids a copy within one buffer: go through a temporary.
      const tmp = this.rt.alloc(src.len);
      this.rt.copyBuffer(src, tmp, src.len);
      this.rt.copyBuffer(tmp, dst, src.len);
      this.rt.free(tmp);
      return;
    }
    const host = this.int ? (src instanceof Int32Array ? src : Int32Array.from(src)) : (src instanceof Float32Array ? src : Float32Array.from(src));
    this.rt.write(dst, host);
  }

  fill(value: number, start = 0, end = this.len): this {
    const v = this.subarray(start, end);
    if (value === 0 && !Object.is(value, -0)) this.rt.clear(v);
    else this.rt.write(v, this.int ? new Int32Array(v.len).fill(value) : new Float32Array(v.len).fill(value));
    return this;
  }

  /** The values, after every recorded op has run; throws the first failed device-side check (bad ids). */
  async read(): Promise<Float32Array | Int32Array> {
    return this.rt.read(this, this.int, true);
  }
}

let active: GpuRuntime | null = null;
let opened: Promise<GpuRuntime> | null = null;
const backends = new WeakMap<GpuRuntime, { backend: Backend; kernels: DeviceKernels }>();

/** The process's WebGPU runtime (adapter and device found once; a clear error when there is none). */
export function openDevice(): Promise<GpuRuntime> {
  opened ??= requestGpu().then((g) => GpuRuntime.create(g.device, g.description));
  opened.catch(() => { opened = null; });
  return opened;
}

/**
 * Allocate new f32/i32 tensors on `rt` from now on (null: back to host memory). Process-wide: do
 * not interleave host and device work across awaits (trainLm allows one run at a time for this).
 */
export function useDevice(rt: GpuRuntime | null): void {
  active = rt;
}

/** The runtime new tensors are allocated on, or null for host memory. */
export function activeDevice(): GpuRuntime | null {
  return active;
}

/** Run fn with new tensors allocated on rt, or in host memory for null (synchronous part only). */
export function onDevice<T>(rt: GpuRuntime | null, fn: () => T): T {
  const prev = active;
  active = rt;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

/** n elements on the active device (zeroed when asked). */
export function allocDevice(rt: GpuRuntime, int: boolean, n: number, zero: boolean): DeviceArray {
  const g = rt.alloc(n);
  const a = new DeviceArray(rt, g.buf, 0, n, int);
  if (zero) rt.clear(a);
  return a;
}

export function freeDevice(a: DeviceArray): void {
  if (a.off === 0) a.rt.free(a);
}

function entry(rt: GpuRuntime): { backend: Backend; kernels: DeviceKernels } {
  let e = backends.get(rt);
  if (!e) {
    const kernels = createDeviceKernels(rt);
    const backend = {
      ...kernels,
      sumSquares(): number {
        throw new Error('sumSquares cannot return a number synchronously on a device tensor (clipGradNormAsync reads it back)');
      },
    } as unknown as Backend;
    e = { backend, kernels };
    backends.set(rt, e);
  }
  return e;
}

/**
 * The kernels for ops over device arrays, typed as the host Backend: tensor functions pass
 * tensor storage through unchanged, and storage of a device tensor is a DeviceArray.
 */
export function deviceBackend(a: DeviceArray): Backend {
  return entry(a.rt).backend;
}

/** The device kernels with their device-only entries (sumSquaresInto, crossEntropyMean). */
export function deviceKernels(rt: GpuRuntime): DeviceKernels {
  return entry(rt).kernels;
}
