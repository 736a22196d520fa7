/**
 * nn/device_run.ts — where a trainer's new tensors go for the length of a run: the CPU, or resident
 * on a GPU (the three trainers: LM, retriever, image tokenizer).
 */
import { activeDevice, openDevice, useDevice } from '../tensor/index.js';

let running = false;

/**
 * Run fn with new tensors on `device` ('webgpu' opens the GPU; default the CPU); restores the
 * previous placement. One run at a time per process: the placement is process-wide state held
 * across the run's awaits.
 */
export async function runOn<T>(device: 'cpu' | 'webgpu' | undefined, fn: () => Promise<T>): Promise<T> {
  if (running) throw new Error('another training run is in progress in this process (one at a time: the device in use is process-wide)');
  running = true;
  const prev = activeDevice();
  try {
    useDevice(device === 'webgpu' ? await openDevice() : null);
    return await fn();
  } finally {
    useDevice(prev);
    running = false;
  }
}
