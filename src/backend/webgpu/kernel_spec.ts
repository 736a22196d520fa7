/// <reference types="@webgpu/types" />
/**
 * webgpu/kernel_spec.ts — how a WGSL kernel is declared (typed params + bindings) and the WGSL
 * header generated from that declaration: the Params uniform struct (arrays first for their
 * 16-byte alignment, then scalars, then each binding's element offset `<name>_off`), the storage
 * bindings, and helpers for folded 1-D grids. Host packing (runtime.ts) uses the same field list,
 * so host and shader cannot disagree on the layout.
 */
/** Param types: scalars, or 8 u32s (shape/strides up to rank 8) stored as array<vec4<u32>, 2>. */
export type ParamType = 'u32' | 'i32' | 'f32' | 'u32x8';
/**
 * Binding kinds: element type and access; 'atomic' is array<atomic<u32>> (float CAS adds); 'vec4'
 * reads floats four at a time (its `_off` stays in floats: divide by 4).
 */
export type BindKind = 'f32' | 'f32rw' | 'i32' | 'i32rw' | 'atomic' | 'vec4';

export interface KernelSpec {
  name: string;
  params: Record<string, ParamType>;
  bindings: Record<string, BindKind>;
  /** WGSL after the generated header (helpers and an entry point named main). */
  code: string;
}

export const MAX_RANK = 8;

/** A uniform field; `array` names the binding whose element offset it holds (`<array>_off`). */
export interface Field { name: string; type: ParamType; offset: number; array?: string }

export interface Kernel {
  spec: KernelSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  fields: Field[];
  /** Uniform bytes (a multiple of 16). */
  size: number;
  /** The bindings' names in binding order (1..). */
  bindingNames: string[];
}

/** Workgroups per dimension WebGPU guarantees; larger 1-D grids fold into y. */
export const MAX_GROUPS = 65535;

/** [x, y] workgroups covering `groups` (kernels rebuild the linear id as wid.y * nwg.x + wid.x). */
export function grid(groups: number): [number, number] {
  if (groups <= MAX_GROUPS) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y];
}

/** WGSL: the linear workgroup id of a folded 1-D grid. */
export const LINEAR_WG = 'fn linear_wg(wid: vec3u, nwg: vec3u) -> u32 { return wid.y * nwg.x + wid.x; }';

/**
 * WGSL: the opening of `main` for one thread per element over a folded 1-D grid of `wg`-thread
 * workgroups, binding the thread's global index to `id` (the module needs LINEAR_WG).
 */
export function threadMain(wg: number | string, id: string): string {
  return `@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let ${id} = linear_wg(wid, nwg) * ${wg}u + li;`;
}

const WGSL_ELEM: Record<BindKind, string> = {
  f32: 'var<storage, read> %: array<f32>', f32rw: 'var<storage, read_write> %: array<f32>',
  i32: 'var<storage, read> %: array<i32>', i32rw: 'var<storage, read_write> %: array<i32>',
  atomic: 'var<storage, read_write> %: array<atomic<u32>>', vec4: 'var<storage, read> %: array<vec4<f32>>',
};

export function layoutFields(spec: KernelSpec): { fields: Field[]; size: number; wgsl: string } {
  const all: [string, ParamType, string?][] = Object.entries(spec.params);
  for (const b of Object.keys(spec.bindings)) all.push([`${b}_off`, 'u32', b]);
  // Arrays first: they need 16-byte alignment, scalars pack after them.
  all.sort((a, b) => Number(b[1] === 'u32x8') - Number(a[1] === 'u32x8'));
  const fields: Field[] = [];
  let offset = 0;
  const lines: string[] = [];
  for (const [name, type, array] of all) {
    fields.push(array === undefined ? { name, type, offset } : { name, type, offset, array });
    lines.push(`  ${name}: ${type === 'u32x8' ? 'array<vec4<u32>, 2>' : type},`);
    offset += type === 'u32x8' ? 32 : 4;
  }
  if (lines.length === 0) { lines.push('  _pad: u32,'); offset = 4; }
  const size = Math.ceil(offset / 16) * 16;
  return { fields, size, wgsl: `struct Params {\n${lines.join('\n')}\n}\n` };
}

/** The generated WGSL header of a kernel: device facts, Params struct, uniform and storage bindings. */
export function kernelHeader(spec: KernelSpec, fusedFma = false): string {
  const { wgsl } = layoutFields(spec);
  const binds = Object.entries(spec.bindings).map(([n, k], i) => `@group(0) @binding(${i + 1}) ${WGSL_ELEM[k].replace('%', n)};`);
  return `const HAS_FUSED_FMA: bool = ${fusedFma};\n${wgsl}@group(0) @binding(0) var<uniform> P: Params;\n${binds.join('\n')}\n` +
    'fn at8(v: array<vec4<u32>, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }\n';
}
