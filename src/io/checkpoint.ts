/**
 * io/checkpoint.ts — module (+ optimizer) checkpoints as safetensors, written atomically.
 * Parameters are stored under their dotted names (`model.` prefix omitted), optimizer moments
 * under `optim.<param>.m|v`; metadata carries the format tag, JSON config and step.
 * f32 parameters may be stored as bf16 (`dtype: 'bf16'`) to halve the file.
 */
import type { Module } from '../nn/module.js';
import type { AdamW } from '../optim/adamw.js';
import { onDevice, tensor, Tensor } from '../tensor/index.js';
import {
  bf16ToF32, f32ToBf16, readSafetensors, SafetensorsError, writeSafetensors, type SafeEntry,
} from './safetensors.js';

export const CHECKPOINT_FORMAT = 'cm3leon-checkpoint-v1';

export interface SaveOpts {
  optimizer?: AdamW;
  config?: unknown;
  step?: number;
  dtype?: 'f32' | 'bf16';
  metadata?: Record<string, string>;
}

function entry(t: Tensor, dtype: 'f32' | 'bf16'): SafeEntry {
  const flat = t.flat();
  if (t.dtype === 'i32') return { dtype: 'I32', shape: [...t.shape], data: Int32Array.from(flat) };
  if (t.dtype === 'f64') return { dtype: 'F64', shape: [...t.shape], data: Float64Array.from(flat) };
  const f = Float32Array.from(flat);
  return dtype === 'bf16' ? { dtype: 'BF16', shape: [...t.shape], data: f32ToBf16(f) } : { dtype: 'F32', shape: [...t.shape], data: f };
}

/** The tensors a checkpoint stores, with the dtype each is written in. */
function checkpointTensors(model: Module, o: SaveOpts): [string, Tensor, 'f32' | 'bf16'][] {
  const out: [string, Tensor, 'f32' | 'bf16'][] = [];
  for (const [name, p] of model.namedParameters()) out.push([name, p, o.dtype ?? 'f32']);
  if (o.optimizer) for (const [name, t] of o.optimizer.stateTensors()) out.push([`optim.${name}`, t, 'f32']);
  return out;
}

function writeCheckpoint(path: string, list: [string, Tensor, 'f32' | 'bf16'][], o: SaveOpts): void {
  const tensors = new Map<string, SafeEntry>();
  for (const [name, t, dtype] of list) tensors.set(name, entry(t, dtype));
  const metadata: Record<string, string> = { ...o.metadata, format: CHECKPOINT_FORMAT };
  if (o.config !== undefined) metadata.config = JSON.stringify(o.config);
  if (o.step !== undefined) metadata.step = String(o.step);
  if (o.optimizer) metadata.optimizer_step = String(o.optimizer.stepCount);
  writeSafetensors(path, tensors, metadata);
}

export function saveCheckpoint(path: string, model: Module, o: SaveOpts = {}): void {
  writeCheckpoint(path, checkpointTensors(model, o), o);
}

/** saveCheckpoint for a model (and optimizer) on the host or a GPU: device tensors are read back first. */
export async function saveCheckpointAsync(path: string, model: Module, o: SaveOpts = {}): Promise<void> {
  const list = checkpointTensors(model, o);
  for (const item of list) if (item[1].onDevice) item[1] = new Tensor(await item[1].read(), item[1].dtype, item[1].shape);
  writeCheckpoint(path, list, o);
}

export function entryToTensor(e: SafeEntry): Tensor {
  switch (e.dtype) {
    case 'F32': return tensor(e.data as Float32Array, e.shape, 'f32');
    case 'BF16': return tensor(bf16ToF32(e.data as Uint16Array), e.shape, 'f32');
    case 'F64': return tensor(e.data as Float64Array, e.shape, 'f64');
    case 'I32': return tensor(e.data as Int32Array, e.shape, 'i32');
  }
}

export interface LoadedCheckpoint { config: unknown; step: number | null; metadata: Record<string, string> }

/** Load parameters (strict: names and shapes must match) and, if given, the optimizer state. */
export function loadCheckpoint(path: string, model: Module, optimizer?: AdamW): LoadedCheckpoint {
  const file = readSafetensors(path);
  if (file.metadata.format !== CHECKPOINT_FORMAT) {
    throw new SafetensorsError(`${path}: not a cm3leon checkpoint (format "${file.metadata.format ?? 'none'}")`);
  }
  const params = new Map<string, Tensor>(), optim = new Map<string, Tensor>();
  // Parsed into host tensors even while a GPU is in use: loading copies them into the model's own
  // (possibly device) tensors, and host copies go to the GC instead of holding GPU memory.
  onDevice(null, () => {
    for (const [name, e] of file.tensors) {
      if (name.startsWith('optim.')) optim.set(name.slice(6), entryToTensor(e));
      else params.set(name, entryToTensor(e));
    }
  });
  model.loadStateDict(params);
  if (optimizer) {
    if (optim.size === 0) throw new Error(`${path}: holds no optimizer state`);
    const step = Number(file.metadata.optimizer_step);
    if (!Number.isInteger(step) || step < 0) throw new SafetensorsError(`${path}: bad optimizer_step "${file.metadata.optimizer_step}"`);
    optimizer.loadStateTensors(optim, step);
  }
  return {
    config: file.metadata.config ? JSON.parse(file.metadata.config) : null,
    step: file.metadata.step ? Number(file.metadata.step) : null,
    metadata: file.metadata,
  };
}

/**
 * Release copy of a training checkpoint: parameters only (optimizer moments and step counters
 * dropped), f32 parameters optionally stored as bf16; config, step and other metadata kept.
 */
export function exportWeights(src: string, dst: string, dtype: 'f32' | 'bf16' = 'f32'): { tensors: number; bytes: number } {
  const file = readSafetensors(src);
  if (file.metadata.format !== CHECKPOINT_FORMAT) throw new SafetensorsError(`${src}: not a cm3leon checkpoint (format "${file.metadata.format ?? 'none'}")`);
  const out = new Map<string, SafeEntry>();
  let bytes = 0;
  for (const [name, e] of file.tensors) {
    if (name.startsWith('optim.')) continue;
    const f = e.dtype === 'F32' && dtype === 'bf16' ? { dtype: 'BF16' as const, shape: e.shape, data: f32ToBf16(e.data as Float32Array) } : e;
    out.set(name, f);
    bytes += f.data.byteLength;
  }
  const { optimizer_step: _s, ...metadata } = file.metadata;
  writeSafetensors(dst, out, metadata);
  return { tensors: out.size, bytes };
}
