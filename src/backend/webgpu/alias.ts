/**
 * webgpu/alias.ts — in-place and overlapping operands. WebGPU rejects a dispatch that binds one
 * buffer writable and also anywhere else; the CPU kernels allow it (in-place affine, dq/dk/dv
 * slices of one array, mean and rstd in one buffer). The elementwise, GEMM, reduction, softmax,
 * norm, loss and gather families route their outputs through unaliased(), which swaps a
 * conflicting output for a temporary and copies it back; attention (backward: one writer per
 * dispatch), AdamW and vqNearest reject outputs that share a buffer with an input instead.
 */
import type { GArr, GpuRuntime } from './runtime.js';

/**
 * Runs `body` with every writable output that shares a device buffer with another binding of the
 * op (WebGPU rejects a writable binding aliasing any other) swapped for a temporary of `count`
 * elements, copied back afterwards; `fill` temporaries (outputs that are also read, +=) start as a
 * copy of the output.
 */
export function unaliased(rt: GpuRuntime, reads: (GArr | null)[], writes: [GArr, number, boolean?][],
  body: (w: GArr[]) => void): void {
  const seen = new Set<GPUBuffer>();
  for (const r of reads) if (r) seen.add(r.buf);
  const temps: [GArr, GArr, number][] = [];
  const ws = writes.map(([w, count, fill]) => {
    if (!seen.has(w.buf)) { seen.add(w.buf); return w; }
    const t = rt.alloc(count);
    if (fill) rt.copyBuffer(w, t, count);
    temps.push([t, w, count]);
    return t;
  });
  body(ws);
  for (const [t, w, count] of temps) { rt.copyBuffer(t, w, count); rt.free(t); }
}
