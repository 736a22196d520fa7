/**
 * webgpu/kernels/attention_backward.ts — fused attention backward in WGSL, the twin of
 * ref/attention.ts attentionBackward. P = exp(scale q.k - lse) is recomputed from the forward's
 * lse (a row with lse = -inf has P = 0), Delta_i = dout_i . out_i, dS = P (dout . v - Delta).
 *
 * Four dispatches, each with one writable binding, because dq, dk and dv are usually strided
 * slices of one dqkv buffer (WebGPU cannot bind a buffer twice when one binding is writable):
 * Delta (thread per query row), dq = scale dS k (thread per query row over key tiles), dk =
 * scale dS^T q and dv = P^T dout (thread per key row over query tiles in workgroup memory).
 * Shared helpers and the forward: attention.ts.
 */
import type { AttnShape, BTHD } from '../../backend.js';
import { grid, LINEAR_WG, threadMain, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import {
  BASE_PARAMS, baseValues, cached, checkOutputs, dense, geom, KEY_ON, KEY_TILES, loader, prelude, QUERY_MAIN, runRows, storeRow,
  strideParams, type Geom,
} from './attention.js';

const WG = 256;

/**
 * Delta_i = dout_i . out_i, thread per (b, i, h) row. Accumulated exactly as dp = dout . v in the
 * dq and dk kernels (same vec4 dots, same order): with a single visible key out = v, and dS must
 * cancel to exactly 0 as in the reference.
 */
function deltaSpec(g: Geom, name: string): KernelSpec {
  return {
    name, params: { ...BASE_PARAMS, rows: 'u32', ...strideParams('dout') },
    bindings: { out: 'f32', dout: 'f32', delta: 'f32rw' },
    code: prelude(g) + loader('out', 'dout') + loader('dout') + LINEAR_WG + /* wgsl */ `
${threadMain(WG, 'r')}  // (b * Tq + i) * H + h
  if (r >= P.rows) { return; }
  let h = r % P.H;
  let b = r / P.H / P.Tq;
  let i = r / P.H % P.Tq;
  var dp = 0.0;
  for (var c = 0u; c < DV; c++) { dp += dot(ld_dout(b, i, h, c), ld_out(b, i, h, c)); }
  delta[P.delta_off + (b * P.H + h) * P.Tq + i] = dp;
}`,
  };
}

/** dq: thread per query row, key/value tiles in workgroup memory. */
function dqSpec(g: Geom, name: string): KernelSpec {
  return {
    name, params: { ...BASE_PARAMS, ...strideParams('q', 'k', 'v', 'dout', 'o') },
    bindings: { q: 'f32', k: 'f32', v: 'f32', mask: 'f32', dout: 'f32', lse: 'f32', delta: 'f32', dq: 'f32rw' },
    code: prelude(g) + loader('q') + loader('k') + loader('v') + loader('dout') + KEY_TILES + /* wgsl */ `
${QUERY_MAIN}
  var gr: array<vec4f, DV>;
  for (var c = 0u; c < DV; c++) { qr[c] = ld_q(b, ic, h, c); gr[c] = ld_dout(b, ic, h, c); }
  let L = lse[P.lse_off + bh * P.Tq + ic];
  let di = delta[P.delta_off + bh * P.Tq + ic];
  let row_on = i < P.Tq && is_finite(L);
  var acc: array<vec4f, DV>;
  let kend = key_end(i0);
  for (var j0 = 0u; j0 < kend; j0 += BT) {
    load_keys(b, h, j0, li);
    workgroupBarrier();
    for (var jj = 0u; jj < BT; jj++) {
      var sd = 0.0;
      var dp = 0.0;
      for (var c = 0u; c < DV; c++) { sd += dot(qr[c], ks[jj * DV + c]); }
      for (var c = 0u; c < DV; c++) { dp += dot(gr[c], vs[jj * DV + c]); }
      let p = select(0.0, exp(sd * P.scale - L), row_on && kon[jj] != 0u && visible(i, j0 + jj));
      let ds = p * (dp - di);
      for (var c = 0u; c < DV; c++) { acc[c] += ds * ks[jj * DV + c]; }
    }
    workgroupBarrier();
  }
  if (i >= P.Tq) { return; }
  let ob = P.dq_off + b * P.o_sB + i * P.o_sT + h * P.o_sH;` + storeRow('dq', 'ob', 'P.scale * acc[c]') + `
}`,
  };
}

/** dk (which = 'dk') or dv: thread per key row, query/dout tiles in workgroup memory. */
function dkvSpec(g: Geom, which: 'dk' | 'dv', name: string): KernelSpec {
  const dk = which === 'dk';
  const bindings: KernelSpec['bindings'] = dk
    ? { q: 'f32', k: 'f32', v: 'f32', mask: 'f32', dout: 'f32', lse: 'f32', delta: 'f32', dk: 'f32rw' }
    : { q: 'f32', k: 'f32', mask: 'f32', dout: 'f32', lse: 'f32', dv: 'f32rw' };
  return {
    name, params: { ...BASE_PARAMS, ...strideParams(...(dk ? ['q', 'k', 'v', 'dout', 'o'] : ['q', 'k', 'dout', 'o'])) },
    bindings,
    code: prelude(g) + KEY_ON + loader('q') + loader('k') + (dk ? loader('v') : '') + loader('dout') + /* wgsl */ `
var<workgroup> qs: array<vec4f, BT * DV>;
var<workgroup> gs: array<vec4f, BT * DV>;
var<workgroup> ls: array<f32, BT>;
${dk ? 'var<workgroup> dl: array<f32, BT>;' : ''}
var<workgroup> qon: array<u32, BT>;
fn load_queries(b: u32, h: u32, bh: u32, i0: u32, li: u32) {
  for (var e = li; e < BT * DV; e += BQ) {
    let i = min(i0 + e / DV, P.Tq - 1u);
    qs[e] = ld_q(b, i, h, e % DV);
    gs[e] = ld_dout(b, i, h, e % DV);
  }
  for (var e = li; e < BT; e += BQ) {
    let i = i0 + e;
    let L = lse[P.lse_off + bh * P.Tq + min(i, P.Tq - 1u)];
    ls[e] = L;
    qon[e] = u32(i < P.Tq && is_finite(L));
    ${dk ? 'dl[e] = delta[P.delta_off + bh * P.Tq + min(i, P.Tq - 1u)];' : ''}
  }
}
@compute @workgroup_size(BQ) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let bh = wid.y + P.bh0;
  let b = bh / P.H;
  let h = bh % P.H;
  let j0 = wid.x * BQ;
  let j = j0 + li;
  let jc = min(j, P.Tk - 1u);
  var kr: array<vec4f, DV>;
  ${dk ? 'var vr: array<vec4f, DV>;' : ''}
  for (var c = 0u; c < DV; c++) { kr[c] = ld_k(b, jc, h, c);${dk ? ' vr[c] = ld_v(b, jc, h, c);' : ''} }
  let key_ok = key_on(b, j);
  var acc: array<vec4f, DV>;
  for (var i0 = query_start(j0); i0 < P.Tq; i0 += BT) {
    load_queries(b, h, bh, i0, li);
    workgroupBarrier();
    for (var ii = 0u; ii < BT; ii++) {
      var sd = 0.0;
      ${dk ? 'var dp = 0.0;' : ''}
      for (var c = 0u; c < DV; c++) { sd += dot(qs[ii * DV + c], kr[c]); }
      ${dk ? 'for (var c = 0u; c < DV; c++) { dp += dot(gs[ii * DV + c], vr[c]); }' : ''}
      let p = select(0.0, exp(sd * P.scale - ls[ii]), key_ok && qon[ii] != 0u && visible(i0 + ii, j));
      ${dk ? 'let w = p * (dp - dl[ii]);' : ''}
      for (var c = 0u; c < DV; c++) { acc[c] += ${dk ? 'w * qs[ii * DV + c]' : 'p * gs[ii * DV + c]'}; }
    }
    workgroupBarrier();
  }
  if (j >= P.Tk) { return; }
  let ob = P.${which}_off + b * P.o_sB + j * P.o_sT + h * P.o_sH;` + storeRow(which, 'ob', dk ? 'P.scale * acc[c]' : 'acc[c]') + `
}`,
  };
}

export function attentionBackward(rt: GpuRuntime, q: BTHD<GArr>, k: BTHD<GArr>, v: BTHD<GArr>, out: GArr, lse: GArr,
  dout: GArr, dq: BTHD<GArr>, dk: BTHD<GArr>, dv: BTHD<GArr>, s: AttnShape<GArr>): void {
  const g = geom(rt, s.D);
  checkOutputs('attentionBackward', { dq: dq.data, dk: dk.data, dv: dv.data },
    { q: q.data, k: k.data, v: v.data, out, lse, dout, keyMask: s.keyMask });
  if (s.B * s.H === 0) return;
  const { B, Tq, Tk, H, D } = s;
  const mask = s.keyMask ?? q.data;
  const tag = `d${D}_t${g.BT}`;
  const gd = dense(Tq, H, D);
  // Delta is read by the dq and dk kernels; without queries nothing reads it.
  const delta = rt.alloc(Math.max(1, B * H * Tq));
  if (Tq > 0) {
    const rows = B * Tq * H;
    const nd = `attn_bwd_delta_d${D}`;
    rt.run(cached(rt, nd, () => deltaSpec(g, nd)), { ...baseValues(s, { dout: gd }), rows },
      { out, dout, delta }, grid(Math.ceil(rows / WG)));
    const name = `attn_bwd_dq_${tag}`;
    runRows(rt, cached(rt, name, () => dqSpec(g, name)), baseValues(s, { q, k, v, dout: gd, o: dq }),
      { q: q.data, k: k.data, v: v.data, mask, dout, lse, delta, dq: dq.data }, 'attentionBackward', Tq, s);
  }
  if (Tk > 0) {
    const nk = `attn_bwd_dk_${tag}`, nv = `attn_bwd_dv_${tag}`;
    runRows(rt, cached(rt, nk, () => dkvSpec(g, 'dk', nk)), baseValues(s, { q, k, v, dout: gd, o: dk }),
      { q: q.data, k: k.data, v: v.data, mask, dout, lse, delta, dk: dk.data }, 'attentionBackward', Tk, s);
    runRows(rt, cached(rt, nv, () => dkvSpec(g, 'dv', nv)), baseValues(s, { q, k, dout: gd, o: dv }),
      { q: q.data, k: k.data, mask, dout, lse, dv: dv.data }, 'attentionBackward', Tk, s);
  }
  rt.free(delta);
}
