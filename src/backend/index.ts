/**
 * backend/index.ts — backend registry. The default is 'native' when the addon is built, else
 * 'ref' (CM3LEON_BACKEND=ref|native|webgpu overrides; CM3LEON_DEVICE=cpu|webgpu picks the device).
 * float64 work always runs on the reference backend. 'webgpu' is the WGSL kernels behind the
 * synchronous worker facade (webgpu/sync.ts): every op copies its operands to the GPU and back, so
 * it checks the kernels end to end (same losses as the CPU) but is not yet a fast path.
 */
import type { Backend } from './backend.js';
import { createNativeBackend } from './native/index.js';
import { tryLoadNative } from './native/binding.js';
import { refBackend } from './ref/index.js';
import { createSyncWebGpu } from './webgpu/sync.js';

export type BackendName = 'native' | 'ref' | 'webgpu';
let native: Backend | null = null;
let webgpu: Backend | null = null;
let current: Backend | null = null;

export function getBackendByName(name: BackendName): Backend {
  if (name === 'ref') return refBackend;
  if (name === 'native') return (native ??= createNativeBackend());
  if (name === 'webgpu') return (webgpu ??= createSyncWebGpu());
  throw new Error(`unknown backend "${String(name)}" (choose native, ref or webgpu)`);
}

export function setBackend(name: BackendName): Backend {
  current = getBackendByName(name);
  return current;
}

/** Select by device: cpu (native when built, else ref) or webgpu. */
export function setDevice(device: string): Backend {
  if (device === 'cpu') return setBackend(tryLoadNative() ? 'native' : 'ref');
  if (device === 'webgpu') return setBackend('webgpu');
  throw new Error(`unknown device "${device}" (choose cpu or webgpu)`);
}

export function getBackend(): Backend {
  if (current) return current;
  const env = process.env.CM3LEON_BACKEND as BackendName | undefined;
  if (env) return setBackend(env);
  if (process.env.CM3LEON_DEVICE) return setDevice(process.env.CM3LEON_DEVICE);
  return setBackend(tryLoadNative() ? 'native' : 'ref');
}

/**
 * Where a trainer or generator keeps its model's tensors, from the selected device: with webgpu
 * selected, 'webgpu' (resident tensors), and the host-side work around it (data, corpus,
 * tokenizers, retrieval) goes back to the CPU kernels instead of the per-op copying facade.
 */
export function residentDevice(): 'cpu' | 'webgpu' {
  if (getBackend().name !== 'webgpu') return 'cpu';
  setDevice('cpu');
  return 'webgpu';
}

/** Run fn with another backend selected. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const prev = current;
  setBackend(name);
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** The backend for a kernel over tensors of this dtype. */
export function kernelsFor(dtype: string): Backend {
  return dtype === 'f64' ? refBackend : getBackend();
}

export type { Backend } from './backend.js';
