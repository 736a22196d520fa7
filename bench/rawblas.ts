/**
 * bench/rawblas.ts — the raw-OpenBLAS peer: Debian's pthread OpenBLAS called directly through
 * build/Release/rawblas.node (no engine code), at 2 threads. The engine itself pins OpenBLAS to
 * one thread per pool thread, so every use here restores that afterwards.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../src/backend/native/binding.js';

interface RawBlas {
  load(): void;
  sgemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ta: number, tb: number): void;
  setThreads(n: number): void;
  config(): string;
}

let raw: RawBlas | null = null;

export function rawBlas(): RawBlas {
  if (!raw) {
    raw = createRequire(import.meta.url)(join(projectRoot(), 'build', 'Release', 'rawblas.node')) as RawBlas;
    raw.load();
  }
  return raw;
}

/** Run fn with raw OpenBLAS at `threads`, then pin it back to 1 (the engine's setting). */
export function withRawThreads<T>(threads: number, fn: (r: RawBlas) => T): T {
  const r = rawBlas();
  r.setThreads(threads);
  try {
    return fn(r);
  } finally {
    r.setThreads(1);
  }
}
