/**
 * webgpu/kernels/gemm_parts.ts — the pieces both GEMM kernels (gemm.ts: scalar loads,
 * gemm_vec4.ts: vec4 loads + prefetch) share: params, the unrolled register accumulators and
 * their FMAs over a k-step of the workgroup tiles, and the epilogue (alpha/beta, bounds).
 * G groups of 4 rows (and of 4 columns) per thread: a (64 G) x (64 G) tile, 4G x 4G per thread
 * in plain vec4 registers (arrays indexed in loops spilled on NVIDIA's Vulkan compiler).
 */
import type { ParamType } from '../runtime.js';

export const GEMM_PARAMS: Record<string, ParamType> = {
  m: 'u32', n: 'u32', k: 'u32', ta: 'u32', tb: 'u32', lda: 'u32', ldb: 'u32', ldc: 'u32',
  sa: 'u32', sb: 'u32', sc: 'u32', alpha: 'f32', beta: 'f32',
};

/** For a packed-f16 B: its element offset in halves (b_off counts 32-bit words of two halves). */
export const GEMM_HALF_PARAMS: Record<string, ParamType> = { ...GEMM_PARAMS, bh: 'u32' };

/**
 * WGSL: b_at(i) = element i of B counted from B's view: f32 storage, or packed f16 (two halves
 * per word, the element's half chosen by the index's low bit; unpack2x16float is core WGSL, so
 * this needs no shader-f16 feature and runs on every adapter).
 */
export const F32_B = /* wgsl */ `fn b_at(i: u32) -> f32 { return b[P.b_off + i]; }`;
export const HALF_B = /* wgsl */ `fn b_at(i: u32) -> f32 {
  let h = P.b_off * 2u + P.bh + i;
  return unpack2x16float(bitcast<u32>(b[h >> 1u]))[h & 1u];
}`;

export interface TileCode {
  /** Tile side (64 G) and its width in vec4s. */
  T: number; W: number;
  /** The workgroup tiles As/Bs (TK k-rows of W vec4s each). */
  shared: string;
  /** The opening of main: tile origin (row0, col0) and this batch's operand bases (abase, bbase). */
  entry: string;
  /** Accumulator declarations; one k-step (kk) of loads + FMAs; the epilogue stores. */
  acc: string; step: string; store: string;
}

export function tileCode(G: number, TK: number): TileCode {
  const T = 64 * G, W = T / 4;
  const shared = `var<workgroup> As: array<vec4<f32>, ${TK * W}>;\nvar<workgroup> Bs: array<vec4<f32>, ${TK * W}>;`;
  const entry = `@compute @workgroup_size(16, 16) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let row0 = wid.y * ${T}u;
  let col0 = wid.x * ${T}u;
  let abase = P.a_off + wid.z * P.sa;
  let bbase = P.b_off + wid.z * P.sb;`;
  const groups = [...Array(G).keys()], rows = [...Array(4 * G).keys()];
  const acc = rows.map((r) => groups.map((g) => `var c${r}_${g} = vec4<f32>(0.0);`).join(' ')).join('\n  ');
  const loads = groups.map((g) => `let a${g} = As[kk * ${W}u + ${g * 16}u + lid.y]; let b${g} = Bs[kk * ${W}u + ${g * 16}u + lid.x];`);
  const fma = rows.map((r) => {
    const a = `vec4<f32>(a${Math.floor(r / 4)}[${r % 4}])`;
    return groups.map((g) => `c${r}_${g} = fma(${a}, b${g}, c${r}_${g});`).join(' ');
  });
  const store = rows.map((r) => {
    const i = `row0 + ${Math.floor(r / 4) * 64}u + lid.y * 4u + ${r % 4}u`;
    return groups.map((g) => `store_row(cbase, ${i}, col0 + ${g * 64}u + lid.x * 4u, c${r}_${g});`).join(' ');
  }).join('\n  ');
  return { T, W, shared, entry, acc, step: [...loads, ...fma].join('\n      '), store };
}

/** WGSL: C[i, j0..j0+3] = alpha v + beta C (beta = 0 never reads C), within bounds. */
export const STORE_ROW = /* wgsl */ `
fn store_row(cbase: u32, i: u32, j0: u32, v: vec4<f32>) {
  if (i >= P.m) { return; }
  for (var q = 0u; q < 4u; q++) {
    let j = j0 + q;
    if (j < P.n) {
      let o = cbase + i * P.ldc + j;
      var x = P.alpha * v[q];
      if (P.beta != 0.0) { x += P.beta * c[o]; }
      c[o] = x;
    }
  }
}
`;
