/**
 * webgpu/kernels/gemm_vec4.ts — the GEMM of gemm.ts for aligned operands (offsets, leading dims
 * and batch strides multiples of 4, and the dimension each operand is read along too): A and B are
 * read from global memory as vec4, and the next k-slice is loaded into registers while the current
 * one is multiplied (one workgroup-memory buffer, two barriers per slice). Same tiles and
 * register-resident accumulators as gemm.ts; gemm() picks this kernel when the operands allow.
 */
import { GEMM_PARAMS, STORE_ROW, tileCode } from './gemm_parts.js';
import type { KernelSpec } from '../runtime.js';

export interface Vec4Operands {
  m: number; n: number; k: number; transA: boolean; transB: boolean; lda: number; ldb: number;
  aOff: number; bOff: number; strideA: number; strideB: number; batch: number;
}

/** Whether every vec4 read is aligned and whole (no vec4 straddles a bound). */
export function vec4Eligible(o: Vec4Operands): boolean {
  const m4 = (x: number) => x % 4 === 0;
  return m4(o.aOff) && m4(o.bOff) && m4(o.lda) && m4(o.ldb) && (o.batch === 1 || (m4(o.strideA) && m4(o.strideB))) &&
    (o.transA ? m4(o.m) : m4(o.k)) && (o.transB ? m4(o.k) : m4(o.n));
}

export function gemmVec4Spec(G: number): KernelSpec {
  const TK = 16;
  const { T, W, shared, entry, acc, step, store } = tileCode(G, TK);
  const groups = [...Array(G).keys()];
  const regs = groups.map((g) => `var ra${g}: vec4<f32>; var rb${g}: vec4<f32>;`).join(' ');
  const fetch = groups.map((g) => `ra${g} = fetch_a(abase, row0, k0, li + ${g * 256}u); rb${g} = fetch_b(bbase, col0, k0, li + ${g * 256}u);`).join('\n    ');
  const put = groups.map((g) => `put_a(ra${g}, li + ${g * 256}u); put_b(rb${g}, li + ${g * 256}u);`).join('\n    ');
  return {
    name: `gemm_vec4_${T}`,
    params: GEMM_PARAMS,
    bindings: { a: 'vec4', b: 'vec4', c: 'f32rw' },
    code: /* wgsl */ `
${shared}

// Element e of the A tile's ${T * 4} vec4s: along k (row-major A) or along m (transposed A).
fn fetch_a(base: u32, row0: u32, k0: u32, e: u32) -> vec4<f32> {
  if (P.ta != 0u) {
    let kk = e / ${W}u; let iq = e % ${W}u;
    if (k0 + kk >= P.k || row0 + iq * 4u >= P.m) { return vec4<f32>(0.0); }
    return a[(base + (k0 + kk) * P.lda + row0 + iq * 4u) / 4u];
  }
  let row = e / 4u; let kq = e % 4u;
  if (row0 + row >= P.m || k0 + kq * 4u >= P.k) { return vec4<f32>(0.0); }
  return a[(base + (row0 + row) * P.lda + k0 + kq * 4u) / 4u];
}
fn put_a(v: vec4<f32>, e: u32) {
  if (P.ta != 0u) { As[(e / ${W}u) * ${W}u + e % ${W}u] = v; return; }
  let row = e / 4u; let kq = e % 4u;
  for (var q = 0u; q < 4u; q++) { As[(kq * 4u + q) * ${W}u + row / 4u][row % 4u] = v[q]; }
}
fn fetch_b(base: u32, col0: u32, k0: u32, e: u32) -> vec4<f32> {
  if (P.tb != 0u) {
    let j = e / 4u; let kq = e % 4u;
    if (col0 + j >= P.n || k0 + kq * 4u >= P.k) { return vec4<f32>(0.0); }
    return b[(base + (col0 + j) * P.ldb + k0 + kq * 4u) / 4u];
  }
  let kk = e / ${W}u; let jq = e % ${W}u;
  if (k0 + kk >= P.k || col0 + jq * 4u >= P.n) { return vec4<f32>(0.0); }
  return b[(base + (k0 + kk) * P.ldb + col0 + jq * 4u) / 4u];
}
fn put_b(v: vec4<f32>, e: u32) {
  if (P.tb == 0u) { Bs[(e / ${W}u) * ${W}u + e % ${W}u] = v; return; }
  let j = e / 4u; let kq = e % 4u;
  for (var q = 0u; q < 4u; q++) { Bs[(kq * 4u + q) * ${W}u + j / 4u][j % 4u] = v[q]; }
}
${STORE_ROW}
${entry}
  ${acc}
  ${regs}
  var k0 = 0u;
  ${fetch}
  for (; k0 < P.k; k0 += ${TK}u) {
    ${put}
    workgroupBarrier();
    if (k0 + ${TK}u < P.k) {
      let k0 = k0 + ${TK}u;
      ${fetch}
    }
    for (var kk = 0u; kk < ${TK}u; kk++) {
      ${step}
    }
    workgroupBarrier();
  }
  let cbase = P.c_off + wid.z * P.sc;
  ${store}
}`,
  };
}
