/**
 * storage.ts — typed-array storage with a reuse pool and tidy() scopes.
 * Buffers of tensors created inside tidy() (and not returned or kept) go back to a pool keyed by
 * dtype and length, so a training loop reuses the same memory every step instead of growing.
 */
import { activeDevice, allocDevice, DeviceArray, freeDevice } from './device.js';

export type DType = 'f32' | 'f64' | 'i32';
export type HostStorage = Float32Array | Float64Array | Int32Array;
/** Host typed arrays, or a view of a device buffer for a tensor resident on a GPU (device.ts). */
export type Storage = HostStorage | DeviceArray;

const pool = new Map<string, HostStorage[]>();
let pooledBytes = 0;
/** Bytes the pool may hold (CM3LEON_POOL_MB; default 4 GiB): beyond it buffers go to the GC. */
let poolCap = (Number(process.env.CM3LEON_POOL_MB) || 4096) * 2 ** 20;

export function setPoolCap(bytes: number): void {
  poolCap = bytes;
  if (pooledBytes > poolCap) clearPool();
}

function makeArray(dtype: DType, n: number): HostStorage {
  return dtype === 'f32' ? new Float32Array(n) : dtype === 'f64' ? new Float64Array(n) : new Int32Array(n);
}

/**
 * A buffer of n elements, on the active device (device.ts useDevice) for f32/i32; zeroed only when
 * `zero` (pooled buffers hold stale data).
 */
export function allocStorage(dtype: DType, n: number, zero: boolean): Storage {
  const rt = activeDevice();
  if (rt && dtype !== 'f64') return allocDevice(rt, dtype === 'i32', n, zero);
  const list = pool.get(`${dtype}:${n}`);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= buf.byteLength;
    if (zero) buf.fill(0);
    return buf;
  }
  return makeArray(dtype, n);
}

export function releaseStorage(dtype: DType, buf: Storage): void {
  if (buf instanceof DeviceArray) { freeDevice(buf); return; }
  if (buf.length === 0 || pooledBytes + buf.byteLength > poolCap) return;
  const key = `${dtype}:${buf.length}`;
  let list = pool.get(key);
  if (!list) pool.set(key, (list = []));
  list.push(buf);
  pooledBytes += buf.byteLength;
}

/**
 * dst.set(src, offset) across placements: into a device view from host values or another device
 * view; a device source into host memory throws (the values must be read back first).
 */
export function copyStorage(dst: Storage, src: Storage, offset = 0): void {
  if (src instanceof DeviceArray && !(dst instanceof DeviceArray)) {
    throw new Error('a GPU tensor cannot be copied into host memory synchronously: read it first (`await t.read()`)');
  }
  (dst as Float32Array).set(src as Float32Array, offset);
}

/** Drop every pooled buffer (memory goes back to the GC). */
export function clearPool(): void {
  pool.clear();
  pooledBytes = 0;
}

export function poolStats(): { buffers: number; bytes: number } {
  let buffers = 0;
  for (const l of pool.values()) buffers += l.length;
  return { buffers, bytes: pooledBytes };
}

/** Anything a tidy scope can dispose. */
export interface Disposable { dispose(): void; readonly kept: boolean }

const scopes: Disposable[][] = [];

export function track(t: Disposable): void {
  const top = scopes[scopes.length - 1];
  if (top) top.push(t);
}

export function pushScope(): void {
  scopes.push([]);
}

/** Disposes every tracked object of the innermost scope except those in `keep` (and kept ones). */
export function popScope(keep: Set<Disposable>): void {
  const top = scopes.pop();
  if (!top) throw new Error('popScope without pushScope');
  const parent = scopes[scopes.length - 1];
  // Newest first: the pool is a stack, so the next scope's first allocation of a size gets the
  // buffer this scope allocated first. A step that repeats therefore gets the same buffers each
  // time (the WebGPU runtime's bind groups are cached by buffer).
  for (let i = top.length - 1; i >= 0; i--) {
    const t = top[i];
    if (keep.has(t)) continue;
    if (!t.kept) t.dispose();
  }
  if (parent) for (const t of top) if (keep.has(t)) parent.push(t);
}
