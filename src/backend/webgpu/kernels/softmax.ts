/**
 * webgpu/kernels/softmax.ts — row softmax / log-softmax and their backward, twins of ref/nn.ts.
 * One 256-thread workgroup per row: an online (max, sum of exp(x - max)) pass merged by a
 * shared-memory tree (ROW_LSE, shared with cross-entropy), then the outputs as exp(x - m) / s or
 * (x - m) - log s (x - m is exact for nearby values, so rows at +-1e4 keep full precision).
 * A row holding NaN or +inf, or only -inf, comes out all NaN, as in the reference.
 */
import { unaliased } from '../alias.js';
import { grid, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { FLOATS, WG, wgSum } from './reduce.js';

/**
 * row_lse(base, n, li) -> (m, s): the row's max and sum of exp(x - m) over x[base..base+n).
 * NaN counts as +inf, so a row is degenerate (NaN results) exactly when m is +-inf.
 */
export const ROW_LSE = FLOATS + /* wgsl */ `
var<workgroup> lse_m: array<f32, ${WG}>;
var<workgroup> lse_s: array<f32, ${WG}>;
fn lse_merge(m1: f32, s1: f32, m2: f32, s2: f32) -> vec2f {
  let m = select(m1, m2, m2 > m1);
  if (m == ninf()) { return vec2f(m, 0.0); }
  return vec2f(m, s1 * exp0(m1 - m) + s2 * exp0(m2 - m));
}
fn row_lse(base: u32, n: u32, li: u32) -> vec2f {
  var m = ninf();
  var s = 0.0;
  for (var i = li; i < n; i += ${WG}u) {
    var v = x[base + i];
    if (is_nan(v)) { v = pinf(); }
    if (v > m) { s = s * exp0(m - v) + 1.0; m = v; } else if (v != ninf()) { s += exp0(v - m); }
  }
  lse_m[li] = m;
  lse_s[li] = s;
  workgroupBarrier();
  for (var k = ${WG / 2}u; k > 0u; k >>= 1u) {
    if (li < k) {
      let r = lse_merge(lse_m[li], lse_s[li], lse_m[li + k], lse_s[li + k]);
      lse_m[li] = r.x;
      lse_s[li] = r.y;
    }
    workgroupBarrier();
  }
  return vec2f(lse_m[0], lse_s[0]);
}
`;

const SOFTMAX: KernelSpec = {
  name: 'softmax', params: { rows: 'u32', n: 'u32', lg: 'u32' }, bindings: { x: 'f32', out: 'f32rw' },
  code: ROW_LSE + /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let r = linear_wg(wid, nwg);
  if (r >= P.rows) { return; }
  let base = P.x_off + r * P.n;
  let ob = P.out_off + r * P.n;
  let ms = row_lse(base, P.n, li);
  let m = ms.x;
  let s = ms.y;
  let ls = log(s);
  for (var i = li; i < P.n; i += ${WG}u) {
    let d = x[base + i] - m;
    var y: f32;
    if (is_inf(m)) { y = nanf(); } else if (P.lg != 0u) { y = d - ls; } else { y = exp0(d) / s; }
    out[ob + i] = y;
  }
}`,
};

/** dx = y (dy - sum dy y), or for log-softmax dx = dy - exp(y) sum dy. */
const SOFTMAX_BACKWARD: KernelSpec = {
  name: 'softmax_backward', params: { rows: 'u32', n: 'u32', lg: 'u32' }, bindings: { y: 'f32', dy: 'f32', dx: 'f32rw' },
  code: FLOATS + wgSum('wg_sum') + /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let r = linear_wg(wid, nwg);
  if (r >= P.rows) { return; }
  let o = r * P.n;
  var a = 0.0;
  for (var i = li; i < P.n; i += ${WG}u) {
    let g = dy[P.dy_off + o + i];
    a += select(g * y[P.y_off + o + i], g, P.lg != 0u);
  }
  let s = wg_sum(a, li);
  for (var i = li; i < P.n; i += ${WG}u) {
    let g = dy[P.dy_off + o + i];
    let v = y[P.y_off + o + i];
    dx[P.dx_off + o + i] = select(v * (g - s), g - exp0(v) * s, P.lg != 0u);
  }
}`,
};

export function softmax(rt: GpuRuntime, x: GArr, out: GArr, rows: number, n: number, log: boolean): void {
  if (rows === 0 || n === 0) return;
  unaliased(rt, [x], [[out, rows * n]], ([o]) =>
    rt.run(rt.kernel(SOFTMAX), { rows, n, lg: log ? 1 : 0 }, { x, out: o }, grid(rows)));
}

export function softmaxBackward(rt: GpuRuntime, y: GArr, dy: GArr, dx: GArr, rows: number, n: number, log: boolean): void {
  if (rows === 0 || n === 0) return;
  unaliased(rt, [y, dy], [[dx, rows * n]], ([d]) =>
    rt.run(rt.kernel(SOFTMAX_BACKWARD), { rows, n, lg: log ? 1 : 0 }, { y, dy, dx: d }, grid(rows)));
}
