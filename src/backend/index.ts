/**
 * backend/index.ts — backend registry. The default is 'native' when the addon is built, else
 * 'ref' (CM3LEON_BACKEND=ref|native overrides). float64 work always runs on the reference backend.
 */
import type { Backend } from './backend.js';
import { createNativeBackend } from './native/index.js';
import { tryLoadNative } from './native/binding.js';
import { refBackend } from './ref/index.js';

export type BackendName = 'native' | 'ref';
let native: Backend | null = null;
let current: Backend | null = null;

export function getBackendByName(name: BackendName): Backend {
  if (name === 'ref') return refBackend;
  if (name === 'native') return (native ??= createNativeBackend());
  throw new Error(`unknown backend "${String(name)}" (choose native or ref)`);
}

export function setBackend(name: BackendName): Backend {
  current = getBackendByName(name);
  return current;
}

export function getBackend(): Backend {
  if (current) return current;
  const env = process.env.CM3LEON_BACKEND as BackendName | undefined;
  if (env) return setBackend(env);
  return setBackend(tryLoadNative() ? 'native' : 'ref');
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
