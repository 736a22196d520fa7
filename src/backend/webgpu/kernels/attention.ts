/**
 * webgpu/kernels/attention.ts — fused scaled-dot-product attention forward in WGSL, the twin of
 * ref/attention.ts (native/kernels/attention.cc), plus the WGSL pieces every attention kernel
 * shares; the backward lives in attention_backward.ts.
 *
 * (B, T, H, D) operands with any batch/token/head strides and unit stride over D. One workgroup
 * per (block of 64 query rows, b * H + h); each thread owns one query row with q and the output
 * accumulator in registers (D is a compile-time constant, so the kernels are specialised per head
 * size, D <= 128) and runs an online softmax over key/value tiles staged in workgroup memory.
 * Causal masking is offset by Tk - Tq, and key tiles past a block's last visible key are skipped.
 * A row with no visible key writes zeros and lse = -inf. Masked scores use the finite sentinel
 * NEG instead of -inf (WGSL has no infinity literals and may assume finite values).
 */
import { FLOAT_BITS } from './wgsl_math.js';
import type { AttnShape, BTHD } from '../../backend.js';
import { MAX_GROUPS, type GArr, type GpuRuntime, type Kernel, type KernelSpec, type ParamType } from '../runtime.js';

export { attentionBackward } from './attention_backward.js';

/** Rows (threads) per workgroup. */
export const BQ = 64;
export const MAX_HEAD = 128;

/** Head size D, its vec4 count DV and the rows BT of the other side staged per tile. */
export interface Geom { D: number; DV: number; BT: number }

export function geom(rt: GpuRuntime, D: number): Geom {
  if (!(D >= 1 && D <= MAX_HEAD)) throw new RangeError(`attention: head size ${D} outside the WebGPU kernels' 1..${MAX_HEAD}`);
  const DV = Math.ceil(D / 4);
  // Two vec4 tiles (k/v or q/dout) and three scalars per staged row; 64 bytes for the padding of
  // the scalar arrays to 16.
  const bytes = rt.device.limits.maxComputeWorkgroupStorageSize - 64;
  return { D, DV, BT: Math.max(1, Math.min(64, Math.floor(bytes / (32 * DV + 12)))) };
}

/** Uniform params of every attention kernel; views add `<v>_sB/_sT/_sH` (see strides). */
export const BASE_PARAMS: Record<string, ParamType> = {
  H: 'u32', Tq: 'u32', Tk: 'u32', causal: 'u32', masked: 'u32', off: 'i32', scale: 'f32', ninf: 'f32', bh0: 'u32',
};

export function strideParams(...views: string[]): Record<string, ParamType> {
  const r: Record<string, ParamType> = {};
  for (const v of views) for (const s of ['sB', 'sT', 'sH']) r[`${v}_${s}`] = 'u32';
  return r;
}

/** Host values of BASE_PARAMS plus `<name>_sB/_sT/_sH` of the given views (strides must be >= 0). */
export function baseValues(s: AttnShape<GArr>, views: Record<string, { sB: number; sT: number; sH: number }>): Record<string, number> {
  for (const [name, v] of Object.entries(views)) {
    if (v.sB < 0 || v.sT < 0 || v.sH < 0) throw new RangeError(`attention: negative stride in ${name}`);
  }
  const r: Record<string, number> = {
    H: s.H, Tq: s.Tq, Tk: s.Tk, causal: s.causal ? 1 : 0, masked: s.keyMask ? 1 : 0, off: s.Tk - s.Tq,
    scale: s.scale, ninf: -Infinity, bh0: 0,
  };
  for (const [name, v] of Object.entries(views)) { r[`${name}_sB`] = v.sB; r[`${name}_sT`] = v.sT; r[`${name}_sH`] = v.sH; }
  return r;
}

/** A contiguous (B, T, H, D) view's strides. */
export const dense = (T: number, H: number, D: number) => ({ sB: T * H * D, sT: H * D, sH: D });

/**
 * WGSL constants and helpers: visibility (causal offset), the causal bounds of a block, and the
 * lse validity test (by bits: -inf lse marks a row with no visible key).
 */
export function prelude(g: Geom): string {
  return FLOAT_BITS + /* wgsl */ `
const D = ${g.D}u;
const DV = ${g.DV}u;
const BQ = ${BQ}u;
const BT = ${g.BT}u;
const NEG = -0x1.fffffep+127f;  // -FLT_MAX
fn visible(i: u32, j: u32) -> bool { return P.causal == 0u || i32(j) <= i32(i) + P.off; }
// One past the last key any query of the block [i0, i0 + BQ) sees.
fn key_end(i0: u32) -> u32 {
  if (P.causal == 0u) { return P.Tk; }
  return u32(clamp(i32(i0 + BQ) + P.off, 0, i32(P.Tk)));
}
// The first query any key of the block [j0, j0 + BQ) is visible to.
fn query_start(j0: u32) -> u32 {
  if (P.causal == 0u) { return 0u; }
  return u32(max(i32(j0) - P.off, 0));
}
`;
}

/** WGSL: ld_<name>(b, t, h, c) = the c-th vec4 of row (b, t, h) of a strided view (zero past D). */
export function loader(name: string, stride = name): string {
  return /* wgsl */ `
fn ld_${name}(b: u32, t: u32, h: u32, c: u32) -> vec4f {
  let base = P.${name}_off + b * P.${stride}_sB + t * P.${stride}_sT + h * P.${stride}_sH + 4u * c;
  if (4u * c + 3u < D) { return vec4f(${name}[base], ${name}[base + 1u], ${name}[base + 2u], ${name}[base + 3u]); }
  var r = vec4f(0.0);
  for (var e = 0u; e < 4u; e++) { if (4u * c + e < D) { r[e] = ${name}[base + e]; } }
  return r;
}`;
}

/** WGSL: store the first D components of `value` (a vec4f expression of c < DV) at row `base` of binding `name`. */
export function storeRow(name: string, base: string, value: string): string {
  return /* wgsl */ `
  for (var c = 0u; c < DV; c++) {
    let w = ${value};
    for (var e = 0u; e < 4u; e++) { if (4u * c + e < D) { ${name}[${base} + 4u * c + e] = w[e]; } }
  }`;
}

/** WGSL: key validity (bounds and keyMask; needs a \`mask\` binding). */
export const KEY_ON = /* wgsl */ `
fn key_on(b: u32, j: u32) -> bool { return j < P.Tk && (P.masked == 0u || mask[P.mask_off + b * P.Tk + j] != 0.0); }`;

/**
 * WGSL: the opening of main for the query-row kernels (forward, dq): one thread per query row i of
 * block i0 in head (b, h), its row clamped to ic (threads past Tq compute but never store), and
 * the row's registers qr.
 */
export const QUERY_MAIN = /* wgsl */ `
@compute @workgroup_size(BQ) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let bh = wid.y + P.bh0;  // b * H + h (grids over more than 65535 heads come in slices)
  let b = bh / P.H;
  let h = bh % P.H;
  let i0 = wid.x * BQ;
  let i = i0 + li;
  let ic = min(i, P.Tq - 1u);
  var qr: array<vec4f, DV>;`;

/** WGSL: key/value tiles (BT keys) and key validity in workgroup memory, for the query-row kernels. */
export const KEY_TILES = /* wgsl */ `
var<workgroup> ks: array<vec4f, BT * DV>;
var<workgroup> vs: array<vec4f, BT * DV>;
var<workgroup> kon: array<u32, BT>;${KEY_ON}
fn load_keys(b: u32, h: u32, j0: u32, li: u32) {
  for (var e = li; e < BT * DV; e += BQ) {
    let j = min(j0 + e / DV, P.Tk - 1u);
    ks[e] = ld_k(b, j, h, e % DV);
    vs[e] = ld_v(b, j, h, e % DV);
  }
  for (var e = li; e < BT; e += BQ) { kon[e] = u32(key_on(b, j0 + e)); }
}`;

function forwardSpec(g: Geom, name: string): KernelSpec {
  return {
    name,
    params: { ...BASE_PARAMS, ...strideParams('q', 'k', 'v') },
    bindings: { q: 'f32', k: 'f32', v: 'f32', mask: 'f32', out: 'f32rw', lse: 'f32rw' },
    code: prelude(g) + loader('q') + loader('k') + loader('v') + KEY_TILES + /* wgsl */ `
${QUERY_MAIN}
  for (var c = 0u; c < DV; c++) { qr[c] = ld_q(b, ic, h, c); }
  var acc: array<vec4f, DV>;
  var m = NEG;
  var l = 0.0;
  let kend = key_end(i0);
  for (var j0 = 0u; j0 < kend; j0 += BT) {
    load_keys(b, h, j0, li);
    workgroupBarrier();
    var s: array<f32, BT>;
    var mt = m;
    for (var jj = 0u; jj < BT; jj++) {
      var d = 0.0;
      for (var c = 0u; c < DV; c++) { d += dot(qr[c], ks[jj * DV + c]); }
      s[jj] = select(NEG, d * P.scale, kon[jj] != 0u && visible(i, j0 + jj));
      mt = max(mt, s[jj]);
    }
    let alpha = select(exp(m - mt), 1.0, m == mt);
    l *= alpha;
    for (var c = 0u; c < DV; c++) { acc[c] *= alpha; }
    for (var jj = 0u; jj < BT; jj++) {
      let p = select(0.0, exp(s[jj] - mt), s[jj] > NEG);
      l += p;
      for (var c = 0u; c < DV; c++) { acc[c] += p * vs[jj * DV + c]; }
    }
    m = mt;
    workgroupBarrier();
  }
  if (i >= P.Tq) { return; }
  let has = l > 0.0;
  let ob = P.out_off + ((b * P.Tq + i) * P.H + h) * D;` + storeRow('out', 'ob', 'select(vec4f(0.0), acc[c] / l, has)') + `
  lse[P.lse_off + bh * P.Tq + i] = select(P.ninf, m + log(l), has);
}`,
  };
}

const specs = new Map<string, KernelSpec>();
/** The kernel of a spec built once per name (specs are generated per head size). */
export function cached(rt: GpuRuntime, name: string, build: () => KernelSpec): Kernel {
  let spec = specs.get(name);
  if (!spec) { spec = build(); specs.set(name, spec); }
  return rt.kernel(spec);
}

/** Throws when a written buffer is also read (WebGPU cannot bind it read-only and writable at once). */
export function checkOutputs(op: string, outs: Record<string, GArr>, ins: Record<string, GArr | null>): void {
  for (const [o, a] of Object.entries(outs)) {
    for (const [n, b] of Object.entries(ins)) {
      if (b && a.buf === b.buf) throw new Error(`${op}: output ${o} must not share a device buffer with input ${n}`);
    }
  }
}

/**
 * Dispatch a row kernel over the grid [row blocks of T, B * H]: the B * H dimension in slices of at
 * most 65535 workgroups (WebGPU's per-dimension limit), each with its first head in `bh0`.
 */
export function runRows(rt: GpuRuntime, k: Kernel, params: Record<string, number>, arrays: Record<string, GArr>,
  op: string, T: number, s: AttnShape<GArr>): void {
  const bh = s.B * s.H, blocks = Math.ceil(T / BQ);
  if (blocks > MAX_GROUPS) throw new RangeError(`${op}: ${T} rows too large for one dispatch`);
  for (let bh0 = 0; bh0 < bh; bh0 += MAX_GROUPS) rt.run(k, { ...params, bh0 }, arrays, [blocks, Math.min(MAX_GROUPS, bh - bh0)]);
}

export function attention(rt: GpuRuntime, q: BTHD<GArr>, k: BTHD<GArr>, v: BTHD<GArr>, out: GArr, lse: GArr,
  s: AttnShape<GArr>): void {
  const g = geom(rt, s.D);
  checkOutputs('attention', { out, lse }, { q: q.data, k: k.data, v: v.data, keyMask: s.keyMask });
  if (s.B * s.H * s.Tq === 0) return;
  // out and lse in one buffer would be two writable bindings of it: stage lse in its own.
  const l = lse.buf === out.buf ? rt.alloc(s.B * s.H * s.Tq) : lse;
  const name = `attn_fwd_d${g.D}_t${g.BT}`;
  runRows(rt, cached(rt, name, () => forwardSpec(g, name)), baseValues(s, { q, k, v }),
    { q: q.data, k: k.data, v: v.data, mask: s.keyMask ?? q.data, out, lse: l }, 'attention', s.Tq, s);
  if (l !== lse) { rt.copyBuffer(l, lse, l.len); rt.free(l); }
}
