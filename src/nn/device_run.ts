/**
 * nn/device_run.ts — where a trainer's new tensors go for the length of a run: the CPU, or resident
 * on a GPU (the three trainers: LM, retriever, image tokenizer).
 */
import { residentDevice } from '../backend/index.js';
import type { GpuRuntime } from '../backend/webgpu/runtime.js';
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

/**
 * The GPU runtime a generating command keeps its model on: the device selected with --device /
 * CM3LEON_DEVICE, or null for the CPU (residentDevice moves the host-side work to the CPU kernels).
 */
export async function residentRuntime(): Promise<GpuRuntime | null> {
  return residentDevice() === 'webgpu' ? openDevice() : null;
}
