/**
 * webgpu/kernels/loss.ts — cross-entropy over rows of logits, forward (per-row lse and weighted
 * loss) and backward (dlogits), twins of ref/nn.ts. Forward: one 256-thread workgroup per row
 * (softmax.ts ROW_LSE); the loss is w (m - x[t]) + log s, which keeps full precision for logits far
 * from 0. Backward: one thread per logit. A target outside [0, V) that is not the ignore index
 * fails check.ts's deferred check (and makes that row's loss or gradient NaN meanwhile).
 */
import { unaliased } from '../alias.js';
import { grid, threadMain, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { checkIds } from './check.js';
import { FLOATS, WG, wgSum } from './reduce.js';
import { ROW_LSE } from './softmax.js';

/** The row's target, or -1 for no loss (ignored or weight 0), or -2 for a bad target. */
const TARGET = /* wgsl */ `
fn row_target(r: u32) -> i32 {
  let t = targets[P.targets_off + r];
  if (t == P.ignore) { return -1; }
  if (t < 0 || t >= i32(P.V)) { return -2; }
  return t;
}
fn row_weight(r: u32) -> f32 {
  if (P.has_w != 0u) { return weights[P.weights_off + r]; }
  return 1.0;
}
`;

const CROSS_ENTROPY: KernelSpec = {
  name: 'cross_entropy', params: { rows: 'u32', V: 'u32', ignore: 'i32', has_w: 'u32' },
  bindings: { x: 'f32', targets: 'i32', weights: 'f32', lse: 'f32rw', loss: 'f32rw' },
  code: ROW_LSE + TARGET + /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let r = linear_wg(wid, nwg);
  if (r >= P.rows) { return; }
  let base = P.x_off + r * P.V;
  let ms = row_lse(base, P.V, li);
  if (li != 0u) { return; }
  let bad = is_inf(ms.x);
  let ls = log(ms.y);
  lse[P.lse_off + r] = select(ms.x + ls, nanf(), bad);
  let t = row_target(r);
  let wr = row_weight(r);
  var l = 0.0;
  if (t == -2) { l = nanf(); } else if (t >= 0 && wr != 0.0) {
    l = select(wr * ((ms.x - x[base + u32(t)]) + ls), nanf(), bad);
  }
  loss[P.loss_off + r] = l;
}`,
};

/**
 * The weighted mean from the per-row losses on the device: mean = sum_r loss_r / D and inv = 1 / D,
 * D = sum of w_r over rows whose target is not ignored (both 0 when D = 0). One workgroup.
 */
const CROSS_ENTROPY_MEAN: KernelSpec = {
  name: 'cross_entropy_mean', params: { rows: 'u32', V: 'u32', ignore: 'i32', has_w: 'u32' },
  bindings: { loss: 'f32', targets: 'i32', weights: 'f32', mean: 'f32rw', inv: 'f32rw' },
  code: FLOATS + TARGET + wgSum('sum_loss') + wgSum('sum_w') + /* wgsl */ `
@compute @workgroup_size(${WG}) fn main(@builtin(local_invocation_index) li: u32) {
  var total = 0.0;
  var denom = 0.0;
  for (var r = li; r < P.rows; r += ${WG}u) {
    total += loss[P.loss_off + r];
    if (targets[P.targets_off + r] != P.ignore) { denom += row_weight(r); }
  }
  let t = sum_loss(total, li);
  let d = sum_w(denom, li);
  if (li == 0u) {
    mean[P.mean_off] = select(0.0, t / d, d > 0.0);
    inv[P.inv_off] = select(0.0, 1.0 / d, d > 0.0);
  }
}`,
};

/**
 * dx[r, j] = c (exp(x - lse) - [j == t]) with c = scale w_r, 0 for ignored rows; scale is a number,
 * or g[0] * inv[0] read on the device (dev_scale).
 */
const CROSS_ENTROPY_BACKWARD: KernelSpec = {
  name: 'cross_entropy_backward', params: { rows: 'u32', V: 'u32', ignore: 'i32', has_w: 'u32', scale: 'f32', dev_scale: 'u32' },
  bindings: { x: 'f32', targets: 'i32', weights: 'f32', lse: 'f32', g: 'f32', inv: 'f32', dx: 'f32rw' },
  code: FLOATS + TARGET + /* wgsl */ `
${threadMain(WG, 'e')}
  if (e >= P.rows * P.V) { return; }
  let r = e / P.V;
  let j = e % P.V;
  let t = row_target(r);
  var scale = P.scale;
  // No counted weight: gradient 0 (as the host), even for an inf/NaN upstream gradient.
  if (P.dev_scale != 0u) { scale = select(0.0, g[P.g_off] * inv[P.inv_off], inv[P.inv_off] != 0.0); }
  let c = select(scale * row_weight(r), 0.0, t == -1);
  var d = 0.0;
  if (c != 0.0) {
    if (t == -2) { d = nanf(); } else {
      d = c * exp0(x[P.x_off + e] - lse[P.lse_off + r]);
      if (u32(t) == j) { d -= c; }
    }
  }
  dx[P.dx_off + e] = d;
}`,
};

export function crossEntropy(rt: GpuRuntime, logits: GArr, rows: number, V: number, targets: GArr,
  weights: GArr | null, ignoreIndex: number, lse: GArr, rowLoss: GArr): void {
  if (rows === 0) return;
  checkIds(rt, targets, rows, V, 'target', 'row', ignoreIndex);
  unaliased(rt, [logits, targets, weights], [[lse, rows], [rowLoss, rows]], ([l, rl]) =>
    rt.run(rt.kernel(CROSS_ENTROPY), { rows, V, ignore: ignoreIndex, has_w: weights ? 1 : 0 },
      { x: logits, targets, weights: weights ?? logits, lse: l, loss: rl }, grid(rows)));
}

export function crossEntropyBackward(rt: GpuRuntime, logits: GArr, rows: number, V: number, targets: GArr,
  weights: GArr | null, ignoreIndex: number, lse: GArr, scale: number | [GArr, GArr], dlogits: GArr): void {
  if (rows === 0 || V === 0) return;
  checkIds(rt, targets, rows, V, 'target', 'row', ignoreIndex);
  const dev = typeof scale !== 'number';
  unaliased(rt, [logits, targets, weights, lse, ...(dev ? scale : [])], [[dlogits, rows * V]], ([d]) =>
    rt.run(rt.kernel(CROSS_ENTROPY_BACKWARD), { rows, V, ignore: ignoreIndex, has_w: weights ? 1 : 0, scale: dev ? 0 : scale, dev_scale: dev ? 1 : 0 },
      { x: logits, targets, weights: weights ?? logits, lse, g: dev ? scale[0] : lse, inv: dev ? scale[1] : lse, dx: d },
      grid(Math.ceil((rows * V) / WG))));
}

/** mean[0] = weighted mean loss, inv[0] = 1 / total weight (CROSS_ENTROPY_MEAN). */
export function crossEntropyMean(rt: GpuRuntime, rowLoss: GArr, rows: number, targets: GArr, weights: GArr | null,
  ignoreIndex: number, mean: GArr, inv: GArr): void {
  unaliased(rt, [rowLoss, targets, weights], [[mean, 1], [inv, 1]], ([m, i]) =>
    rt.run(rt.kernel(CROSS_ENTROPY_MEAN), { rows, V: 0, ignore: ignoreIndex, has_w: weights ? 1 : 0 },
      { loss: rowLoss, targets, weights: weights ?? rowLoss, mean: m, inv: i }, [1]));
}
