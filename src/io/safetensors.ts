// Raw-level reader/writer for the safetensors format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian u64 header length, a UTF-8 JSON header (space padded), then the data section.
// Supports F32, BF16 (raw bits in a Uint16Array), I32 and F64; decoding validates everything and throws
// SafetensorsError on malformed input. Writes are atomic (temp file in the same directory + fsync + rename).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

export type SafeDType = 'F32' | 'BF16' | 'I32' | 'F64';
export type SafeData = Float32Array | Uint16Array | Int32Array | Float64Array;
export interface SafeEntry { dtype: SafeDType; shape: number[]; data: SafeData }
export interface SafeFile { tensors: Map<string, SafeEntry>; metadata: Record<string, string> }
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

type Ctor = Float32ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: Record<SafeDType, { size: number; ctor: Ctor }> = {
  F32: { size: 4, ctor: Float32Array },
  BF16: { size: 2, ctor: Uint16Array },
  I32: { size: 4, ctor: Int32Array },
  F64: { size: 8, ctor: Float64Array },
};
const SUPPORTED = Object.keys(DTYPES).join(', ');
const MAX_HEADER = 100 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDType(d: unknown): d is SafeDType {
  return typeof d === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, d);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reverse byte order of each `size`-byte element in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function toEntries(tensors: Map<string, SafeEntry> | Record<string, SafeEntry>): [string, SafeEntry][] {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  return list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function encodeSafetensors(
  tensors: Map<string, SafeEntry> | Record<string, SafeEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = Object.create(null); // no prototype: a tensor may be named "__proto__"
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`safetensors encode: metadata "${k}" must be a string`);
    }
    if (Object.keys(metadata).length > 0) header.__metadata__ = Object.fromEntries(Object.entries(metadata));
  }
  const entries = toEntries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    const where = `safetensors encode: tensor "${name}"`;
    if (name === '__metadata__') throw new SafetensorsError(`${where}: name is reserved`);
    if (!isDType(t.dtype)) throw new SafetensorsError(`${where}: unsupported dtype ${String(t.dtype)} (supported: ${SUPPORTED})`);
    const spec = DTYPES[t.dtype];
    if (!Array.isArray(t.shape) || !t.shape.every(isNonNegInt)) {
      throw new SafetensorsError(`${where}: shape must be an array of non-negative integers`);
    }
    if (!(t.data instanceof spec.ctor)) throw new SafetensorsError(`${where}: dtype ${t.dtype} requires a ${spec.ctor.name}`);
    const n = product(t.shape);
    if (t.data.length !== n) {
      throw new SafetensorsError(`${where}: data length ${t.data.length} != product of shape [${t.shape.join(', ')}] = ${n}`);
    }
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + n * spec.size] };
    offset += n * spec.size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const [, t] of entries) {
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(raw, pos);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(pos, pos + raw.length), DTYPES[t.dtype].size);
    pos += raw.length;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): SafeFile {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`safetensors ${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length (truncated)`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} is absurdly large (> ${MAX_HEADER} bytes)`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`header length ${n} exceeds file size ${bytes.length} (truncated)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafeEntry>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ must be an object of string -> string');
      const pairs = Object.entries(raw as Record<string, unknown>);
      for (const [k, v] of pairs) if (typeof v !== 'string') fail(`__metadata__ value for "${k}" is not a string`);
      metadata = Object.fromEntries(pairs) as Record<string, string>; // defines own keys, even "__proto__"
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where}: entry is not an object`);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (!isDType(dtype)) fail(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${SUPPORTED})`);
    const spec = DTYPES[dtype as SafeDType];
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) fail(`${where}: shape must be an array of non-negative integers`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNonNegInt)) {
      fail(`${where}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = offs as number[];
    if (begin > end) fail(`${where}: data_offsets begin ${begin} > end ${end}`);
    if (end > dataLen) fail(`${where}: data_offsets end ${end} beyond data section of ${dataLen} bytes (truncated file)`);
    const count = product(shape as number[]);
    if (end - begin !== count * spec.size) {
      fail(`${where}: byte length ${end - begin} != ${count} elements * ${spec.size} bytes for shape [${(shape as number[]).join(', ')}] ${dtype}`);
    }
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)); // always a fresh copy (Buffer.slice aliases)
    if (!LITTLE_ENDIAN) swapBytes(copy, spec.size);
    tensors.set(name, { dtype: dtype as SafeDType, shape: [...(shape as number[])], data: new spec.ctor(copy.buffer, 0, count) });
    if (end > begin) spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(`tensor "${spans[i][2]}" overlaps tensor "${spans[i - 1][2]}"`);
  }
  return { tensors, metadata };
}

export function writeSafetensors(
  path: string,
  tensors: Map<string, SafeEntry> | Record<string, SafeEntry>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(path: string): SafeFile {
  return decodeSafetensors(readFileSync(path), path);
}

/** Float32 -> bfloat16 bits with round-to-nearest-even; NaN stays a (quiet) NaN, +-inf stays +-inf. */
export function f32ToBf16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7fffffff) > 0x7f800000) out[i] = (b >>> 16) | 0x0040;
    else out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** bfloat16 bits -> Float32 (exact). */
export function bf16ToF32(src: Uint16Array): Float32Array {
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}
