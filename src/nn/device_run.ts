/**
 * nn/device_run.ts — where a trainer's new tensors go for the length of a run: the CPU, or resident
 * on a GPU (the three trainers: LM, retriever, image tokenizer).
 */
import { activeDevice, openDevice, useDevice } from '../tensor/index.js';

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
