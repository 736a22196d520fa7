/**
 * webgpu/kernels/optim.ts — the fused AdamW update and the nearest-code search of vector
 * quantisation in WGSL; the twins of ref/nn.ts adamw / vqNearest (native/kernels/adamw.cc, vq.cc).
 *
 * AdamW: one thread per element; every scalar that needs float64 (1 - beta, bias corrections,
 * 1 - lr*wd) is computed on the host and rounded once, as in adamw.cc.
 * vqNearest: one thread per row of x, 64 rows per workgroup; the codebook streams through
 * workgroup memory in tiles of 64 codes x 16 dims while each thread keeps the 64 partial squared
 * distances in registers. Distances are summed directly as (x - c)^2 (exact 0 for a row equal to
 * a code); ties keep the lowest code index, as the reference does.
 */
import { grid, LINEAR_WG, threadMain, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';

const WG = 256;

const ADAMW: KernelSpec = {
  name: 'adamw',
  params: { n: 'u32', decay: 'f32', b1: 'f32', b2: 'f32', omb1: 'f32', omb2: 'f32', stepSize: 'f32', rbc2: 'f32', eps: 'f32' },
  bindings: { p: 'f32rw', g: 'f32', m: 'f32rw', v: 'f32rw' },
  code: LINEAR_WG + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  let gi = g[P.g_off + i];
  let mi = P.b1 * m[P.m_off + i] + P.omb1 * gi;
  let vi = P.b2 * v[P.v_off + i] + P.omb2 * gi * gi;
  m[P.m_off + i] = mi;
  v[P.v_off + i] = vi;
  p[P.p_off + i] = p[P.p_off + i] * P.decay - P.stepSize * mi / (sqrt(vi) * P.rbc2 + P.eps);
}`,
};

export function adamw(rt: GpuRuntime, p: GArr, g: GArr, m: GArr, v: GArr, n: number, lr: number, beta1: number,
  beta2: number, eps: number, weightDecay: number, step: number): void {
  if (step < 1) throw new RangeError('adamw: step must be >= 1');
  const bufs = [p.buf, g.buf, m.buf, v.buf];
  if (new Set(bufs).size !== bufs.length) throw new Error('adamw: param, grad, m and v must be distinct device buffers');
  if (n === 0) return;
  const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
  const params = {
    n, decay: 1 - lr * weightDecay, b1: beta1, b2: beta2, omb1: 1 - beta1, omb2: 1 - beta2,
    stepSize: lr / bc1, rbc2: 1 / Math.sqrt(bc2), eps,
  };
  rt.run(rt.kernel(ADAMW), params, { p, g, m, v }, grid(Math.ceil(n / WG)));
}

/** Rows per workgroup (one per thread), codes and dims per codebook tile. */
const VR = 64, VC = 64, VD = 16;

const VQ: KernelSpec = {
  name: 'vq_nearest', params: { N: 'u32', D: 'u32', K: 'u32', inf: 'f32' },
  bindings: { x: 'f32', code: 'f32', idx: 'i32rw', dist: 'f32rw' },
  code: LINEAR_WG + /* wgsl */ `
var<workgroup> ct: array<f32, ${VC * VD}>;
${threadMain(VR, 'r')}
  let xb = P.x_off + min(r, P.N - 1u) * P.D;
  // As the reference: best starts at +inf, so a row whose distances are all inf or NaN gets code 0.
  var best = P.inf;
  var bi = 0;
  for (var c0 = 0u; c0 < P.K; c0 += ${VC}u) {
    var acc: array<f32, ${VC}>;
    for (var d0 = 0u; d0 < P.D; d0 += ${VD}u) {
      for (var e = li; e < ${VC * VD}u; e += ${VR}u) {
        let c = c0 + e / ${VD}u;
        let d = d0 + e % ${VD}u;
        ct[e] = select(0.0, code[P.code_off + min(c, P.K - 1u) * P.D + min(d, P.D - 1u)], c < P.K && d < P.D);
      }
      var xv: array<f32, ${VD}>;
      for (var dd = 0u; dd < ${VD}u; dd++) {
        let d = d0 + dd;
        xv[dd] = select(0.0, x[xb + min(d, P.D - 1u)], d < P.D);
      }
      workgroupBarrier();
      for (var cc = 0u; cc < ${VC}u; cc++) {
        var s = acc[cc];
        for (var dd = 0u; dd < ${VD}u; dd++) {
          let t = xv[dd] - ct[cc * ${VD}u + dd];
          s = fma(t, t, s);
        }
        acc[cc] = s;
      }
      workgroupBarrier();
    }
    let nc = min(${VC}u, P.K - c0);
    for (var cc = 0u; cc < nc; cc++) {
      if (acc[cc] < best) { best = acc[cc]; bi = i32(c0 + cc); }
    }
  }
  if (r >= P.N) { return; }
  idx[P.idx_off + r] = bi;
  dist[P.dist_off + r] = best;
}`,
};

export function vqNearest(rt: GpuRuntime, x: GArr, N: number, D: number, codebook: GArr, K: number, idx: GArr,
  dist: GArr): void {
  if (K <= 0 || D <= 0) throw new RangeError('vqNearest: empty codebook');
  if (idx.buf === dist.buf) throw new Error('vqNearest: idx and dist must be distinct device buffers');
  for (const a of [x, codebook]) {
    if (a.buf === idx.buf || a.buf === dist.buf) throw new Error('vqNearest: outputs must not share a buffer with the inputs');
  }
  if (N === 0) return;
  rt.run(rt.kernel(VQ), { N, D, K, inf: Infinity }, { x, code: codebook, idx, dist }, grid(Math.ceil(N / VR)));
}
