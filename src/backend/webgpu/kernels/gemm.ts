/**
 * webgpu/kernels/gemm.ts — batched strided GEMM, C = alpha op(A) op(B) + beta C (row-major, the
 * Backend.gemm contract), twin of ref/elementwise.ts gemm. Tiles of 64x64 (4x4 per thread) or
 * 128x128 outputs (8x8) per 256-thread workgroup, over k-slices held in workgroup memory; the batch
 * is grid z. CM3LEON_WEBGPU_GEMM_TILE=small|large pins the tile. Long-k GEMMs with few output tiles
 * (weight gradients) split k into slices computed as a batch and summed (splitK). At most 8 rows
 * of op(A) (decoding) take gemm_skinny.ts instead (CM3LEON_WEBGPU_SKINNY=0 turns it off).
 * beta = 0 never reads C (it may hold NaN).
 */
import { F32_B, GEMM_HALF_PARAMS, GEMM_PARAMS, HALF_B, STORE_ROW, tileCode } from './gemm_parts.js';
import { MAX_GROUPS, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { unaliased } from '../alias.js';
import { gemmSkinnySpec, SKINNY_MAX_M, SKINNY_NB, SKINNY_TB, type SkinnyShape } from './gemm_skinny.js';
import { gemmVec4Spec, vec4Eligible } from './gemm_vec4.js';
import { reduce } from './reduce.js';

const SUM = 0;

/** A tile configuration: TM x TN outputs per 256-thread workgroup over k-slices of TK. */
interface Tile { TM: number; TN: number; TK: number }

/**
 * The kernel, generated fully unrolled for G = 1 (64x64 tile, 4x4 per thread) or G = 2 (128x128,
 * 8x8 per thread in 4 vec4 registers per row group: rows lid.y*4.. and 64 + lid.y*4.., columns
 * likewise). Workgroup tiles are stored as vec4, so one k step costs 2G vec4 loads for 16 G^2
 * FMAs. Per-thread arrays indexed in loops spilled to memory on NVIDIA's Vulkan compiler (a
 * 128x128 loop version ran 1.5 TFLOP/s on an H100); plain registers do not.
 */
function gemmV4Spec(G: number, TK: number, half = false): KernelSpec {
  const { T, W, shared, entry, acc, step, store } = tileCode(G, TK);
  const LA = (TK * T) / 256;
  return {
    name: `gemm_v4_${T}x${T}x${TK}${half ? '_f16' : ''}`,
    params: half ? GEMM_HALF_PARAMS : GEMM_PARAMS,
    bindings: { a: 'f32', b: half ? 'i32' : 'f32', c: 'f32rw' },
    code: /* wgsl */ `
${shared}
${half ? HALF_B : F32_B}

fn load_a(base: u32, i: u32, kk: u32) -> f32 {
  if (i >= P.m || kk >= P.k) { return 0.0; }
  if (P.ta != 0u) { return a[base + kk * P.lda + i]; }
  return a[base + i * P.lda + kk];
}
fn load_b(base: u32, kk: u32, j: u32) -> f32 {
  if (kk >= P.k || j >= P.n) { return 0.0; }
  let z = base - P.b_off; // this batch's offset within B's view
  if (P.tb != 0u) { return b_at(z + j * P.ldb + kk); }
  return b_at(z + kk * P.ldb + j);
}
${STORE_ROW}
${entry}
  ${acc}
  for (var k0 = 0u; k0 < P.k; k0 += ${TK}u) {
    for (var r = 0u; r < ${LA}u; r++) {
      let e = li + r * 256u;
      var ai: u32; var ak: u32;
      if (P.ta != 0u) { ai = e % ${T}u; ak = e / ${T}u; } else { ak = e % ${TK}u; ai = e / ${TK}u; }
      As[ak * ${W}u + ai / 4u][ai % 4u] = load_a(abase, row0 + ai, k0 + ak);
      var bj: u32; var bk: u32;
      if (P.tb != 0u) { bk = e % ${TK}u; bj = e / ${TK}u; } else { bj = e % ${T}u; bk = e / ${T}u; }
      Bs[bk * ${W}u + bj / 4u][bj % 4u] = load_b(bbase, k0 + bk, col0 + bj);
    }
    workgroupBarrier();
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

const SMALL: Tile = { TM: 64, TN: 64, TK: 16 };
const LARGE: Tile = { TM: 128, TN: 128, TK: 16 };
const SPECS = new Map<Tile, KernelSpec>([[SMALL, gemmV4Spec(1, 16)], [LARGE, gemmV4Spec(2, 16)]]);
const HALF_SPECS = new Map<Tile, KernelSpec>([[SMALL, gemmV4Spec(1, 16, true)], [LARGE, gemmV4Spec(2, 16, true)]]);
const VEC4_SPECS = new Map<Tile, KernelSpec>([[SMALL, gemmVec4Spec(1)], [LARGE, gemmVec4Spec(2)]]);

/** Output tiles below which a long-k GEMM has too few workgroups to fill a GPU. */
const SPLIT_BELOW_TILES = 128;

/**
 * How many k-slices to compute in parallel (1 = none): weight gradients (e.g. 256 x 256 outputs
 * over k = 3072 rows) give 16 workgroups of 64x64, a few percent of a large GPU. Split so that
 * tiles x slices reaches ~256 workgroups with slices of at least 256; single GEMMs with beta = 0
 * and dense C only (CM3LEON_WEBGPU_SPLITK=0 turns it off).
 */
function splitK(tiles: number, k: number, batch: number, beta: number, denseC: boolean): number {
  if (process.env.CM3LEON_WEBGPU_SPLITK === '0' || batch !== 1 || beta !== 0 || !denseC || tiles >= SPLIT_BELOW_TILES) return 1;
  let best = 1;
  for (const s of [2, 3, 4, 6, 8, 12, 16]) {
    if (k % s !== 0 || k / s < 256) continue;
    best = s;
    if (tiles * s >= 2 * SPLIT_BELOW_TILES) break;
  }
  return best;
}

const SKINNY_SPECS = new Map<SkinnyShape, KernelSpec>([[SKINNY_TB, gemmSkinnySpec(SKINNY_TB)], [SKINNY_NB, gemmSkinnySpec(SKINNY_NB)]]);
const SKINNY_HALF_SPECS = new Map<SkinnyShape, KernelSpec>([[SKINNY_TB, gemmSkinnySpec(SKINNY_TB, true)], [SKINNY_NB, gemmSkinnySpec(SKINNY_NB, true)]]);

/**
 * The skinny kernel's layout for op(A) of at most 8 rows (decoding), by B's contiguous direction;
 * null for the tiled kernels (more rows, a grid past WebGPU's limit, or CM3LEON_WEBGPU_SKINNY=0).
 */
function skinnyShape(m: number, n: number, transB: boolean): SkinnyShape | null {
  if (m > SKINNY_MAX_M || process.env.CM3LEON_WEBGPU_SKINNY === '0') return null;
  const shape = transB ? SKINNY_TB : SKINNY_NB;
  return Math.ceil(n / shape.NC) <= MAX_GROUPS ? shape : null;
}

/**
 * The 64x64 tile unless pinned (CM3LEON_WEBGPU_GEMM_TILE=small|large): on an H100 it was the
 * faster of the two at 7 of the 10 benchmark shapes (docs/performance.md).
 */
function pickTile(): Tile {
  return process.env.CM3LEON_WEBGPU_GEMM_TILE === 'large' ? LARGE : SMALL;
}

export function gemm(rt: GpuRuntime, a: GArr, aOff: number, b: GArr, bOff: number, c: GArr, cOff: number, m: number,
  n: number, k: number, transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number,
  beta: number, batch: number, strideA: number, strideB: number, strideC: number): void {
  gemmOn(rt, false, a, aOff, b, bOff, c, cOff, m, n, k, transA, transB, lda, ldb, ldc, alpha, beta, batch, strideA, strideB, strideC);
}

/**
 * gemm with B stored as packed f16 (tensor/half.ts packHalf: two halves per 32-bit word of `b`);
 * bOff, ldb and strideB count halves. Products and sums in f32. The storage of half-precision
 * inference weights (nn/half.ts).
 */
export function gemmHalfB(rt: GpuRuntime, a: GArr, aOff: number, b: GArr, bOff: number, c: GArr, cOff: number, m: number,
  n: number, k: number, transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number,
  beta: number, batch: number, strideA: number, strideB: number, strideC: number): void {
  gemmOn(rt, true, a, aOff, b, bOff, c, cOff, m, n, k, transA, transB, lda, ldb, ldc, alpha, beta, batch, strideA, strideB, strideC);
}

function gemmOn(rt: GpuRuntime, half: boolean, a: GArr, aOff: number, b: GArr, bOff: number, c: GArr, cOff: number, m: number,
  n: number, k: number, transA: boolean, transB: boolean, lda: number, ldb: number, ldc: number, alpha: number,
  beta: number, batch: number, strideA: number, strideB: number, strideC: number): void {
  if (m === 0 || n === 0 || batch === 0) return;
  if (batch > 1 && strideC === 0) throw new RangeError('gemm: batch > 1 with strideC = 0 (every batch writing one C) is not supported on WebGPU');
  const tile = pickTile();
  const gx = Math.ceil(n / tile.TN), gy = Math.ceil(m / tile.TM);
  const skinny = skinnyShape(m, n, transB);
  const split = skinny ? 1 : splitK(gx * gy, k, batch, beta, ldc === n);
  if (split > 1) {
    // k in `split` equal slices as a batch of partial products, then their sum into C.
    const kc = k / split, part = rt.alloc(split * m * n);
    gemmOn(rt, half, a, aOff, b, bOff, part, 0, m, n, kc, transA, transB, lda, ldb, n, alpha, 0, split,
      transA ? kc * lda : kc, transB ? kc : kc * ldb, m * n);
    reduce(rt, SUM, part, 1, split, m * n, { ...c, off: c.off + cOff, len: m * n }, null);
    rt.free(part);
    return;
  }
  if (batch > MAX_GROUPS) {
    // Grid z holds at most 65535 matrices: record the batch in slices.
    for (let b0 = 0; b0 < batch; b0 += MAX_GROUPS) {
      gemmOn(rt, half, a, aOff + b0 * strideA, b, bOff + b0 * strideB, c, cOff + b0 * strideC, m, n, k, transA, transB, lda, ldb, ldc,
        alpha, beta, Math.min(MAX_GROUPS, batch - b0), strideA, strideB, strideC);
    }
    return;
  }
  // A packed-f16 B keeps its word view; the element offset (in halves) goes in bh.
  const av = { ...a, off: a.off + aOff }, bv = half ? b : { ...b, off: b.off + bOff };
  const params = { m, n, k, ta: transA ? 1 : 0, tb: transB ? 1 : 0, lda, ldb, ldc, sa: strideA, sb: strideB, sc: strideC, alpha, beta, ...(half ? { bh: bOff } : {}) };
  // C sharing a buffer with A or B goes through a temporary holding C's whole extent (padding too).
  const extent = (batch - 1) * strideC + (m - 1) * ldc + n;
  const record = (spec: KernelSpec, groups: [number, number, number]) => unaliased(rt, [av, bv],
    [[{ ...c, off: c.off + cOff }, extent, true]], ([cv]) => rt.run(rt.kernel(spec), params, { a: av, b: bv, c: cv }, groups));
  if (skinny) {
    record((half ? SKINNY_HALF_SPECS : SKINNY_SPECS).get(skinny)!, [Math.ceil(n / skinny.NC), 1, batch]);
    return;
  }
  if (gx > MAX_GROUPS || gy > MAX_GROUPS) throw new RangeError(`gemm: grid ${gx}x${gy} too large for WebGPU`);
  // Aligned f32 operands take the vec4-load kernel (CM3LEON_WEBGPU_GEMM_VEC4=0 turns it off).
  const vec4 = !half && process.env.CM3LEON_WEBGPU_GEMM_VEC4 !== '0' &&
    vec4Eligible({ m, n, k, transA, transB, lda, ldb, aOff: a.off + aOff, bOff: b.off + bOff, strideA, strideB, batch });
  record((half ? HALF_SPECS : vec4 ? VEC4_SPECS : SPECS).get(tile)!, [gx, gy, batch]);
}
