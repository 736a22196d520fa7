/**
 * webgpu/kernels/gemm_skinny.ts — GEMM for at most 8 rows of op(A) (decoding: one new token per
 * stream, so every Linear is (rows <= 8) x k times a k x n weight). The tiled kernels (gemm.ts)
 * spend a 64- or 128-row tile on those few rows and cover n with only n/64 workgroups (12 for
 * n = 768: a few percent of a large GPU). Here a 256-thread workgroup computes NC output columns
 * for every row: S threads split each column's k-range (stride S), each keeps one accumulator per
 * row, and the S partial sums are added in workgroup memory, four rows at a time (4 x 256
 * floats = 16 KiB, the workgroup memory every WebGPU adapter must offer). The threads of a column read B
 * along its contiguous direction: for op(B) = B^T (a Linear weight, row j contiguous in k) S = 32
 * neighbours walk k and NC = 8 columns share a workgroup; for B stored k x n, NC = 64 neighbours
 * take consecutive columns and S = 4 split k. Same contract as gemm (alpha, beta, strides, batch
 * as grid z; beta = 0 never reads C); the reference twin is ref gemm (conformance suite). B may
 * be packed f16 (f32 accumulation), the storage of half-precision inference weights.
 */
import { F32_B, GEMM_HALF_PARAMS, GEMM_PARAMS, HALF_B } from './gemm_parts.js';
import type { KernelSpec } from '../runtime.js';

/** Rows of op(A) the kernel handles (one accumulator each). */
export const SKINNY_MAX_M = 8;

/** Threads per column (S) and columns per workgroup (NC), S x NC = 256. */
export interface SkinnyShape { S: number; NC: number }
export const SKINNY_TB: SkinnyShape = { S: 32, NC: 8 };
export const SKINNY_NB: SkinnyShape = { S: 4, NC: 64 };

/** half: B is packed f16 (gemm_parts.ts HALF_B). */
export function gemmSkinnySpec(shape: SkinnyShape, half = false): KernelSpec {
  const { S, NC } = shape, rows = [...Array(SKINNY_MAX_M).keys()];
  // Thread li <-> (column c, k-split s): neighbours along B's contiguous direction.
  const split = S === 32 ? `let col = li / ${S}u; let s = li % ${S}u;` : `let col = li % ${NC}u; let s = li / ${NC}u;`;
  const slot = S === 32 ? `cc * ${S}u + q` : `q * ${NC}u + cc`;
  return {
    name: `gemm_skinny_${S}x${NC}${half ? '_f16' : ''}`,
    params: half ? GEMM_HALF_PARAMS : GEMM_PARAMS,
    bindings: { a: 'f32', b: half ? 'i32' : 'f32', c: 'f32rw' },
    code: /* wgsl */ `
${half ? HALF_B : F32_B}
var<workgroup> red: array<f32, 1024>;

fn load_a(base: u32, i: u32, kk: u32) -> f32 {
  if (i >= P.m) { return 0.0; }
  if (P.ta != 0u) { return a[base + kk * P.lda + i]; }
  return a[base + i * P.lda + kk];
}

@compute @workgroup_size(256) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  ${split}
  let j = wid.x * ${NC}u + col;
  let abase = P.a_off + wid.z * P.sa;
  let bbase = wid.z * P.sb;
  ${rows.map((r) => `var acc${r} = 0.0;`).join(' ')}
  if (j < P.n) {
    for (var kk = s; kk < P.k; kk += ${S}u) {
      var bv: f32;
      if (P.tb != 0u) { bv = b_at(bbase + j * P.ldb + kk); } else { bv = b_at(bbase + kk * P.ldb + j); }
      ${rows.map((r) => `acc${r} = fma(load_a(abase, ${r}u, kk), bv, acc${r});`).join('\n      ')}
    }
  }
  ${[0, 1].map((h) => `${h === 1 ? 'if (P.m > 4u) {' : '{'}
    // Rows ${4 * h}..${4 * h + 3}: 4 x 256 partial sums (16 KiB, WebGPU's guaranteed workgroup memory).
    ${[0, 1, 2, 3].map((r) => `red[${r * 256}u + li] = acc${4 * h + r};`).join(' ')}
    workgroupBarrier();
    for (var e = li; e < ${NC * 4}u; e += 256u) {
      let cc = e % ${NC}u;
      let r = e / ${NC}u;
      let i = ${4 * h}u + r;
      let jj = wid.x * ${NC}u + cc;
      if (i < P.m && jj < P.n) {
        var sum = 0.0;
        for (var q = 0u; q < ${S}u; q++) { sum += red[r * 256u + ${slot}]; }
        let o = P.c_off + wid.z * P.sc + i * P.ldc + jj;
        var x = P.alpha * sum;
        if (P.beta != 0.0) { x += P.beta * c[o]; }
        c[o] = x;
      }
    }
    workgroupBarrier();
  }`).join('\n  ')}
}`,
  };
}
