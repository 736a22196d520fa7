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
import { FLOATS, WG } from './reduce.js';
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

/** dx[r, j] = c (exp(x - lse) - [j == t]) with c = scale w_r, 0 for ignored rows. */
const CROSS_ENTROPY_BACKWARD: KernelSpec = {
  name: 'cross_entropy_backward', params: { rows: 'u32', V: 'u32', ignore: 'i32', has_w: 'u32', scale: 'f32' },
  bindings: { x: 'f32', targets: 'i32', weights: 'f32', lse: 'f32', dx: 'f32rw' },
  code: FLOATS + TARGET + /* wgsl */ `
${threadMain(WG, 'e')}
  if (e >= P.rows * P.V) { return; }
  let r = e / P.V;
  let j = e % P.V;
  let t = row_target(r);
  let c = select(P.scale * row_weight(r), 0.0, t == -1);
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
  weights: GArr | null, ignoreIndex: number, lse: GArr, scale: number, dlogits: GArr): void {
  if (rows === 0 || V === 0) return;
  checkIds(rt, targets, rows, V, 'target', 'row', ignoreIndex);
  unaliased(rt, [logits, targets, weights, lse], [[dlogits, rows * V]], ([d]) =>
    rt.run(rt.kernel(CROSS_ENTROPY_BACKWARD), { rows, V, ignore: ignoreIndex, has_w: weights ? 1 : 0, scale },
      { x: logits, targets, weights: weights ?? logits, lse, dx: d }, grid(Math.ceil((rows * V) / WG))));
}
