/**
 * webgpu/kernels/norm.ts — LayerNorm and RMSNorm, forward and backward, twins of ref/nn.ts.
 * One 256-thread workgroup per row with shared-memory tree sums (LayerNorm's variance is the
 * two-pass sum of (x - mean)^2). dw/db (sums over rows, accumulated +=) take two stages: NORM_COLS
 * sums chunks of 64 rows per column (one thread per column, coalesced), then reduce.ts sumColumns
 * adds the chunk partials into dw/db. Absent w/b/mean bind a stand-in array and a flag.
 */
import { unaliased } from '../alias.js';
import { grid, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { FLOATS, sumColumns, WG, wgSum } from './reduce.js';

const HEAD = /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let r = linear_wg(wid, nwg);
  if (r >= P.rows) { return; }
  let o = r * P.n;
  let nf = f32(P.n);`;

const LAYER_NORM: KernelSpec = {
  name: 'layer_norm', params: { rows: 'u32', n: 'u32', eps: 'f32', has_w: 'u32', has_b: 'u32' },
  bindings: { x: 'f32', w: 'f32', b: 'f32', out: 'f32rw', mean: 'f32rw', rstd: 'f32rw' },
  code: FLOATS + wgSum('sum_x') + wgSum('sum_d2') + HEAD + /* wgsl */ `
  var a = 0.0;
  for (var i = li; i < P.n; i += ${WG}u) { a += x[P.x_off + o + i]; }
  let mu = sum_x(a, li) / nf;
  var v = 0.0;
  for (var i = li; i < P.n; i += ${WG}u) { let d = x[P.x_off + o + i] - mu; v += d * d; }
  let rs = 1.0 / sqrt(sum_d2(v, li) / nf + P.eps);
  if (li == 0u) { mean[P.mean_off + r] = mu; rstd[P.rstd_off + r] = rs; }
  for (var i = li; i < P.n; i += ${WG}u) {
    var y = (x[P.x_off + o + i] - mu) * rs;
    if (P.has_w != 0u) { y *= w[P.w_off + i]; }
    if (P.has_b != 0u) { y += b[P.b_off + i]; }
    out[P.out_off + o + i] = y;
  }
}`,
};

/** WGSL: g = dy w of a backward pass (w optional), element i of the row at offset o. */
const G_AT = /* wgsl */ `
fn g_at(o: u32, i: u32) -> f32 {
  let g = dy[P.dy_off + o + i];
  if (P.has_w != 0u) { return g * w[P.w_off + i]; }
  return g;
}`;

/** dx = rstd (g - mean(g) - xhat mean(g xhat)), g = dy w, xhat = (x - mean) rstd. */
const LAYER_NORM_BACKWARD: KernelSpec = {
  name: 'layer_norm_backward', params: { rows: 'u32', n: 'u32', has_w: 'u32' },
  bindings: { x: 'f32', w: 'f32', mean: 'f32', rstd: 'f32', dy: 'f32', dx: 'f32rw' },
  code: FLOATS + wgSum('sum_g_gx', 'vec2f') + G_AT + HEAD + /* wgsl */ `
  let mu = mean[P.mean_off + r];
  let rs = rstd[P.rstd_off + r];
  var a = vec2f(0.0);
  for (var i = li; i < P.n; i += ${WG}u) {
    let g = g_at(o, i);
    a += vec2f(g, g * (x[P.x_off + o + i] - mu) * rs);
  }
  let s = sum_g_gx(a, li) / nf;
  for (var i = li; i < P.n; i += ${WG}u) {
    dx[P.dx_off + o + i] = rs * (g_at(o, i) - s.x - (x[P.x_off + o + i] - mu) * rs * s.y);
  }
}`,
};

const RMS_NORM: KernelSpec = {
  name: 'rms_norm', params: { rows: 'u32', n: 'u32', eps: 'f32', has_w: 'u32' },
  bindings: { x: 'f32', w: 'f32', out: 'f32rw', rstd: 'f32rw' },
  code: FLOATS + wgSum('wg_sum') + HEAD + /* wgsl */ `
  var a = 0.0;
  for (var i = li; i < P.n; i += ${WG}u) { let v = x[P.x_off + o + i]; a += v * v; }
  let rs = 1.0 / sqrt(wg_sum(a, li) / nf + P.eps);
  if (li == 0u) { rstd[P.rstd_off + r] = rs; }
  for (var i = li; i < P.n; i += ${WG}u) {
    var y = x[P.x_off + o + i] * rs;
    if (P.has_w != 0u) { y *= w[P.w_off + i]; }
    out[P.out_off + o + i] = y;
  }
}`,
};

/** dx = rstd (g - x rstd^2 mean(g x)), g = dy w. */
const RMS_NORM_BACKWARD: KernelSpec = {
  name: 'rms_norm_backward', params: { rows: 'u32', n: 'u32', has_w: 'u32' },
  bindings: { x: 'f32', w: 'f32', rstd: 'f32', dy: 'f32', dx: 'f32rw' },
  code: FLOATS + wgSum('wg_sum') + G_AT + HEAD + /* wgsl */ `
  let rs = rstd[P.rstd_off + r];
  var a = 0.0;
  for (var i = li; i < P.n; i += ${WG}u) { a += g_at(o, i) * x[P.x_off + o + i]; }
  let s = wg_sum(a, li) * rs * rs / nf;
  for (var i = li; i < P.n; i += ${WG}u) {
    dx[P.dx_off + o + i] = rs * (g_at(o, i) - x[P.x_off + o + i] * s);
  }
}`,
};

const CHUNK = 64;

/**
 * Per chunk c of CHUNK rows and column i: part[c, i] = sum dy (x - mean) rstd (mean 0 without
 * has_mean) and part[nc + c, i] = sum dy.
 */
const NORM_COLS: KernelSpec = {
  name: 'norm_cols', params: { rows: 'u32', n: 'u32', nc: 'u32', has_mean: 'u32' },
  bindings: { x: 'f32', dy: 'f32', mean: 'f32', rstd: 'f32', part: 'f32rw' },
  code: /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = wid.x * ${WG}u + li;
  if (i >= P.n) { return; }
  let c = wid.y;
  var a = 0.0;
  var b = 0.0;
  for (var r = c * ${CHUNK}u; r < min(P.rows, (c + 1u) * ${CHUNK}u); r++) {
    let g = dy[P.dy_off + r * P.n + i];
    var xc = x[P.x_off + r * P.n + i];
    if (P.has_mean != 0u) { xc -= mean[P.mean_off + r]; }
    a += g * xc * rstd[P.rstd_off + r];
    b += g;
  }
  part[P.part_off + c * P.n + i] = a;
  part[P.part_off + (P.nc + c) * P.n + i] = b;
}`,
};

/** dw += sum_r dy (x - mean) rstd, db += sum_r dy (each when requested). */
function paramGrads(rt: GpuRuntime, x: GArr, mean: GArr | null, rstd: GArr, dy: GArr, dw: GArr | null,
  db: GArr | null, rows: number, n: number): void {
  if (!dw && !db) return;
  const nc = Math.ceil(rows / CHUNK);
  if (nc > 65535) throw new RangeError(`norm backward: ${rows} rows exceed the WebGPU grid`);
  const part = rt.alloc(2 * nc * n);
  rt.run(rt.kernel(NORM_COLS), { rows, n, nc, has_mean: mean ? 1 : 0 }, { x, dy, mean: mean ?? rstd, rstd, part },
    [Math.ceil(n / WG), nc]);
  if (dw) sumColumns(rt, part, nc, n, dw, true);
  if (db) sumColumns(rt, { buf: part.buf, off: part.off + nc * n, len: nc * n }, nc, n, db, true);
  rt.free(part);
}

export function layerNorm(rt: GpuRuntime, x: GArr, w: GArr | null, b: GArr | null, out: GArr, mean: GArr, rstd: GArr,
  rows: number, n: number, eps: number): void {
  if (rows === 0) return;
  unaliased(rt, [x, w, b], [[out, rows * n], [mean, rows], [rstd, rows]], ([o, m, s]) =>
    rt.run(rt.kernel(LAYER_NORM), { rows, n, eps, has_w: w ? 1 : 0, has_b: b ? 1 : 0 },
      { x, w: w ?? x, b: b ?? x, out: o, mean: m, rstd: s }, grid(rows)));
}

export function layerNormBackward(rt: GpuRuntime, x: GArr, w: GArr | null, mean: GArr, rstd: GArr, dy: GArr, dx: GArr,
  dw: GArr | null, db: GArr | null, rows: number, n: number): void {
  if (rows === 0 || n === 0) return;
  unaliased(rt, [x, w, mean, rstd, dy], [[dx, rows * n]], ([d]) => {
    rt.run(rt.kernel(LAYER_NORM_BACKWARD), { rows, n, has_w: w ? 1 : 0 }, { x, w: w ?? x, mean, rstd, dy, dx: d },
      grid(rows));
    paramGrads(rt, x, mean, rstd, dy, dw, db, rows, n);
  });
}

export function rmsNorm(rt: GpuRuntime, x: GArr, w: GArr | null, out: GArr, rstd: GArr, rows: number, n: number,
  eps: number): void {
  if (rows === 0) return;
  unaliased(rt, [x, w], [[out, rows * n], [rstd, rows]], ([o, s]) =>
    rt.run(rt.kernel(RMS_NORM), { rows, n, eps, has_w: w ? 1 : 0 }, { x, w: w ?? x, out: o, rstd: s }, grid(rows)));
}

export function rmsNormBackward(rt: GpuRuntime, x: GArr, w: GArr | null, rstd: GArr, dy: GArr, dx: GArr,
  dw: GArr | null, rows: number, n: number): void {
  if (rows === 0 || n === 0) return;
  unaliased(rt, [x, w, rstd, dy], [[dx, rows * n]], ([d]) => {
    rt.run(rt.kernel(RMS_NORM_BACKWARD), { rows, n, has_w: w ? 1 : 0 }, { x, w: w ?? x, rstd, dy, dx: d }, grid(rows));
    paramGrads(rt, x, null, rstd, dy, dw, null, rows, n);
  });
}
