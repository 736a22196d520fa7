/**
 * webgpu/kernels/gather.ts — index-select along the middle axis of (outer, size, inner) and its
 * scatter-add backward in WGSL; the twins of ref/nn.ts gather / scatterAdd.
 *
 * Indices are validated by check.ts (a deferred check: the copy kernels read its flag and write
 * nothing when an index is out of range; the error surfaces at the runtime's next checkErrors()).
 * scatterAdd adds with a float compare-and-swap loop (duplicates accumulate in any order); each
 * thread owns one column of a chunk of consecutive positions and folds runs of equal indices
 * (e.g. padding) in registers first, so it issues one atomic add per run.
 */
import { grid, LINEAR_WG, threadMain, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { unaliased } from '../alias.js';
import { checkIds } from './check.js';

const WG = 256;
/** Positions per scatterAdd thread. */
const CHUNK = 32;

const GATHER: KernelSpec = {
  name: 'gather', params: { total: 'u32', n: 'u32', size: 'u32', inner: 'u32' },
  bindings: { src: 'f32', idx: 'i32', flag: 'i32', out: 'f32rw' },
  code: LINEAR_WG + /* wgsl */ `
${threadMain(WG, 't')}
  if (t >= P.total || flag[P.flag_off] != 0) { return; }
  let k = t % P.inner;
  let r = t / P.inner;
  let j = r % P.n;
  let o = r / P.n;
  out[P.out_off + t] = src[P.src_off + (o * P.size + u32(idx[P.idx_off + j])) * P.inner + k];
}`,
};

const SCATTER_ADD: KernelSpec = {
  name: 'scatter_add', params: { total: 'u32', n: 'u32', chunks: 'u32', size: 'u32', inner: 'u32' },
  bindings: { g: 'f32', idx: 'i32', flag: 'i32', dst: 'atomic' },
  code: LINEAR_WG + /* wgsl */ `
fn add_f32(i: u32, v: f32) {
  var old = atomicLoad(&dst[i]);
  loop {
    let r = atomicCompareExchangeWeak(&dst[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
${threadMain(WG, 't')}
  if (t >= P.total || flag[P.flag_off] != 0) { return; }
  let k = t % P.inner;
  let r = t / P.inner;
  let o = r / P.chunks;
  let j0 = (r % P.chunks) * ${CHUNK}u;
  let j1 = min(P.n, j0 + ${CHUNK}u);
  let gb = P.g_off + o * P.n * P.inner + k;
  let db = P.dst_off + o * P.size * P.inner + k;
  var cur = idx[P.idx_off + j0];
  var acc = g[gb + j0 * P.inner];
  for (var j = j0 + 1u; j < j1; j++) {
    let id = idx[P.idx_off + j];
    let x = g[gb + j * P.inner];
    if (id == cur) { acc += x; continue; }
    add_f32(db + u32(cur) * P.inner, acc);
    cur = id;
    acc = x;
  }
  add_f32(db + u32(cur) * P.inner, acc);
}`,
};

export function gather(rt: GpuRuntime, src: GArr, outer: number, size: number, inner: number, idx: GArr, n: number,
  out: GArr): void {
  const total = outer * n * inner;
  if (total === 0) return;
  const flag = checkIds(rt, idx, n, size, 'index', 'position');
  unaliased(rt, [src, idx, flag], [[out, total, true]], ([o]) =>
    rt.run(rt.kernel(GATHER), { total, n, size, inner }, { src, idx, flag, out: o }, grid(Math.ceil(total / WG))));
}

export function scatterAdd(rt: GpuRuntime, g: GArr, outer: number, size: number, inner: number, idx: GArr, n: number,
  dst: GArr): void {
  const chunks = Math.ceil(n / CHUNK), total = outer * chunks * inner;
  if (total === 0) return;
  const flag = checkIds(rt, idx, n, size, 'index', 'position');
  unaliased(rt, [g, idx, flag], [[dst, outer * size * inner, true]], ([d]) =>
    rt.run(rt.kernel(SCATTER_ADD), { total, n, chunks, size, inner }, { g, idx, flag, dst: d }, grid(Math.ceil(total / WG))));
}
