/**
 * webgpu/kernels/reduce.ts — sum / max (+ argmax) over the middle axis of (outer, n, inner) and the
 * sum of squares, twins of ref/elementwise.ts reduce and sumSquares; also what the row-wise kernels
 * (softmax, norm, loss) share: float-class tests on the bits, workgroup tree sums, column sums that
 * accumulate, and unaliasing of writable outputs.
 * inner == 1: 256 threads per (row, chunk), strided partials then a shared-memory tree. inner > 1:
 * 64 columns x 4 slices of the axis per workgroup. Long axes split into chunks whose partials (with
 * their argmax) a second pass of the same kernel reduces. Max keeps the first NaN, else the first
 * largest value.
 */
import { FLOAT_BITS } from './wgsl_math.js';
import { unaliased } from '../alias.js';
import { grid, LINEAR_WG, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';

export const WG = 256;

/**
 * NaN / inf tests on the bits (a compiler may fold x != x away) and exp with exp(-inf) = 0 exactly.
 * inf/NaN come from bits through a var: a const-expression may not evaluate to them.
 */
export const FLOATS = FLOAT_BITS + /* wgsl */ `
fn exp0(d: f32) -> f32 { return select(exp(d), 0.0, d == ninf()); }
${LINEAR_WG}
`;

/**
 * WGSL of `fn name(v: T, li: u32) -> T`: the sum of v over the WG threads of a workgroup, for every
 * thread (call from uniform control flow). Each function owns its shared array, so a kernel that
 * reduces twice needs two: on Dawn's OpenGL ES path over Mesa llvmpipe, a shared-memory load
 * followed by a barrier was seen to take its value after later writes (also through
 * workgroupUniformLoad), so a result slot must never be rewritten within the kernel.
 */
export function wgSum(name: string, type: 'f32' | 'vec2f' = 'f32'): string {
  return /* wgsl */ `
var<workgroup> ${name}_sh: array<${type}, ${WG}>;
fn ${name}(v: ${type}, li: u32) -> ${type} {
  ${name}_sh[li] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (li < s) { ${name}_sh[li] += ${name}_sh[li + s]; }
    workgroupBarrier();
  }
  return ${name}_sh[0];
}
`;
}

const SUM = 0, MAX = 1, SUMSQ = 2;

/** Loading (squared for op 2), the index of an element, and the (value, index) combine. */
const COMMON = FLOATS + /* wgsl */ `
struct VI { v: f32, i: u32 }
var<workgroup> sv: array<f32, ${WG}>;
var<workgroup> si: array<u32, ${WG}>;
fn start() -> VI { return VI(select(0.0, ninf(), P.op == 1u), 0xffffffffu); }
fn elem(e: u32, k: u32) -> VI {
  let v = x[P.x_off + e];
  var i = k;
  if (P.use_xi != 0u) { i = u32(xi[P.xi_off + e]); }
  return VI(select(v, v * v, P.op == 2u), i);
}
// b replaces a: NaN beats numbers, then the larger value, then (ties, NaNs) the smaller index.
fn comb(a: VI, b: VI) -> VI {
  if (P.op != 1u) { return VI(a.v + b.v, 0u); }
  let an = is_nan(a.v);
  let bn = is_nan(b.v);
  var better: bool;
  if (an != bn) { better = bn; } else if (!an && a.v != b.v) { better = b.v > a.v; } else { better = b.i < a.i; }
  if (better) { return b; }
  return a;
}
fn merge(d: u32, s: u32) {
  let r = comb(VI(sv[d], si[d]), VI(sv[s], si[s]));
  sv[d] = r.v;
  si[d] = r.i;
}
fn put(d: u32, r: VI) {
  if (P.acc != 0u) { out[P.out_off + d] = out[P.out_off + d] + r.v; } else { out[P.out_off + d] = r.v; }
  if (P.want_i != 0u) { oi[P.oi_off + d] = i32(r.i); }
}
`;

const PARAMS = { op: 'u32', outer: 'u32', n: 'u32', inner: 'u32', nc: 'u32', ch: 'u32', use_xi: 'u32', want_i: 'u32',
  acc: 'u32' } as const;
const BINDINGS = { x: 'f32', xi: 'i32', out: 'f32rw', oi: 'i32rw' } as const;

/** inner == 1: workgroup g = (row, chunk) writes out[g]. */
const REDUCE_ROW: KernelSpec = {
  name: 'reduce_row', params: PARAMS, bindings: BINDINGS,
  code: COMMON + /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let g = linear_wg(wid, nwg);
  if (g >= P.outer * P.nc) { return; }
  let o = g / P.nc;
  let k0 = (g % P.nc) * P.ch;
  let k1 = min(P.n, k0 + P.ch);
  var a = start();
  for (var k = k0 + li; k < k1; k += ${WG}u) { a = comb(a, elem(o * P.n + k, k)); }
  sv[li] = a.v;
  si[li] = a.i;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (li < s) { merge(li, li + s); }
    workgroupBarrier();
  }
  if (li == 0u) { put(g, VI(sv[0], si[0])); }
}`,
};

/** inner > 1: workgroup (outer o, 64 columns; chunk z), 4 slices of the chunk per column. */
const REDUCE_COL: KernelSpec = {
  name: 'reduce_col', params: PARAMS, bindings: BINDINGS,
  code: COMMON + /* wgsl */ `
@compute @workgroup_size(64, 4) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let nb = (P.inner + 63u) / 64u;
  let g = linear_wg(wid, nwg);
  if (g >= P.outer * nb) { return; }
  let o = g / nb;
  let i = (g % nb) * 64u + lid.x;
  let c = wid.z;
  let k0 = c * P.ch;
  let k1 = min(P.n, k0 + P.ch);
  var a = start();
  if (i < P.inner) {
    for (var k = k0 + lid.y; k < k1; k += 4u) { a = comb(a, elem((o * P.n + k) * P.inner + i, k)); }
  }
  sv[li] = a.v;
  si[li] = a.i;
  workgroupBarrier();
  for (var s = 2u; s > 0u; s >>= 1u) {
    if (lid.y < s) { merge(li, li + s * 64u); }
    workgroupBarrier();
  }
  if (lid.y == 0u && i < P.inner) { put((o * P.nc + c) * P.inner + i, VI(sv[li], si[li])); }
}`,
};

/** Chunks of the axis: enough workgroups to fill a large GPU, and z <= 65535 for the column kernel. */
function chunks(outer: number, n: number, inner: number): number {
  if (inner > 1) return Math.min(Math.ceil(n / 256), 65535);
  return n <= 4096 || outer >= 1024 ? 1 : Math.min(Math.ceil(n / 2048), Math.ceil(2048 / outer));
}

/** out (outer, inner) = reduction of x over n (indices of a previous pass in xi); acc adds into out. */
function reduceAxis(rt: GpuRuntime, op: number, x: GArr, xi: GArr | null, outer: number, n: number, inner: number,
  out: GArr, oi: GArr | null, acc: boolean): void {
  let nc = n === 0 ? 1 : chunks(outer, n, inner);
  const ch = n === 0 ? 0 : Math.ceil(n / nc);
  if (n > 0) nc = Math.ceil(n / ch);
  const final = nc === 1;
  const pv = final ? out : rt.alloc(outer * nc * inner);
  const pi = final ? oi : oi && rt.alloc(outer * nc * inner);
  const dummy = pi ? null : rt.alloc(1);
  const params = { op, outer, n, inner, nc, ch, use_xi: xi ? 1 : 0, want_i: pi ? 1 : 0, acc: final && acc ? 1 : 0 };
  const arrays = { x, xi: xi ?? x, out: pv, oi: pi ?? dummy! };
  if (inner === 1) rt.run(rt.kernel(REDUCE_ROW), params, arrays, grid(outer * nc));
  else rt.run(rt.kernel(REDUCE_COL), params, arrays, [...grid(outer * Math.ceil(inner / 64)), nc]);
  if (dummy) rt.free(dummy);
  if (final) return;
  reduceAxis(rt, op === SUMSQ ? SUM : op, pv, pi, outer, nc, inner, out, oi, acc);
  rt.free(pv);
  if (pi) rt.free(pi);
}

export function reduce(rt: GpuRuntime, op: number, x: GArr, outer: number, n: number, inner: number, out: GArr,
  argmax: GArr | null): void {
  if (n <= 0) throw new Error('reduce: empty axis');
  if (op !== SUM && op !== MAX) throw new RangeError(`reduce: unknown op ${op}`);
  const m = outer * inner;
  if (m === 0) return;
  const writes: [GArr, number][] = [[out, m]];
  if (op === MAX && argmax) writes.push([argmax, m]);
  unaliased(rt, [x], writes, ([o, a]) => reduceAxis(rt, op, x, null, outer, n, inner, o, a ?? null, false));
}

/** out[0] = sum of x[i]^2 over n elements (0 when n = 0). */
export function sumSquaresInto(rt: GpuRuntime, x: GArr, n: number, out: GArr): void {
  unaliased(rt, [x], [[out, 1]], ([o]) => reduceAxis(rt, SUMSQ, x, null, 1, n, 1, o, null, false));
}

/** out[i] (+)= sum over rows of x[r, i] for x (rows, n): the column sums behind dw/db. */
export function sumColumns(rt: GpuRuntime, x: GArr, rows: number, n: number, out: GArr, accumulate: boolean): void {
  if (rows === 0 || n === 0) return;
  unaliased(rt, [x], [[out, n, accumulate]], ([o]) => reduceAxis(rt, SUM, x, null, 1, rows, n, o, null, accumulate));
}
