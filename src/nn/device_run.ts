/**
 * nn/device_run.ts — what a trainer needs to run on the CPU or resident on a GPU: choosing where new
 * tensors go for the length of a run, host-only blocks inside one, and host copies of a
 * device-resident model (evaluation code that reads values synchronously runs on those).
 */
import { activeDevice, openDevice, useDevice } from '../tensor/index.js';
import type { Module } from './module.js';

/** Run fn with new tensors on `device` ('webgpu' opens the GPU; default the CPU); restores the previous placement. */
export async function runOn<T>(device: 'cpu' | 'webgpu' | undefined, fn: () => Promise<T>): Promise<T> {
  const rt = device === 'webgpu' ? await openDevice() : null;
  const prev = activeDevice();
  useDevice(rt);
  try {
    return await fn();
  } finally {
    useDevice(prev);
  }
}

/** fn with new tensors in host memory (synchronous). */
export function onHost<T>(fn: () => T): T {
  const prev = activeDevice();
  if (!prev) return fn();
  useDevice(null);
  try {
    return fn();
  } finally {
    useDevice(prev);
  }
}

/** `model` when its parameters are on the host, else a host copy (`make()` builds an empty one). */
export async function hostCopy<M extends Module>(model: M, make: () => M): Promise<M> {
  const params = model.namedParameters();
  if (!params.some(([, p]) => p.onDevice)) return model;
  const reads = new Map<string, Float32Array | Float64Array | Int32Array>();
  for (const [name, p] of params) reads.set(name, await p.read());
  const host = onHost(make);
  for (const [name, p] of host.namedParameters()) p.host.set(reads.get(name)!);
  return host;
}

