/**
 * webgpu/kernels/elementwise.ts — unary (+ backward), strided broadcasting binary, affine and
 * strided copy (= or +=) in WGSL; the twins of ref/elementwise.ts and ref/math.ts.
 * One thread per output element over a folded 1-D grid.
 */
import { grid, LINEAR_WG, MAX_RANK, threadMain, type GArr, type GpuRuntime, type KernelSpec } from '../runtime.js';
import { unaliased } from '../alias.js';
import { WGSL_MATH } from './wgsl_math.js';

const WG = 256;

/** Scalar math shared by unary forward and backward (op codes of backend.ts UnaryOp). */
const MATH = WGSL_MATH + /* wgsl */ `
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;
fn unary_f(op: u32, x: f32) -> f32 {
  switch op {
    case 0u: { return -x; }
    case 1u: { return m_exp(x); }
    case 2u: { return m_log(x); }
    case 3u: { return m_sqrt(x); }
    case 4u: { return m_tanh(x); }
    case 5u: { if (is_nan(x)) { return x; } return select(0.0, x, x > 0.0); }
    case 6u: { return 0.5 * x * (1.0 + m_tanh(GELU_C * (x + GELU_A * x * x * x))); }
    case 7u: { return x * m_sigmoid(x); }
    case 8u: { return m_sigmoid(x); }
    default: { return abs(x); }
  }
}
fn unary_grad(op: u32, x: f32, y: f32, g: f32) -> f32 {
  switch op {
    case 0u: { return -g; }
    case 1u: { return g * y; }
    case 2u: { return m_div(g, x); }
    case 3u: { return m_div(g * 0.5, y); }
    case 4u: { return g * (1.0 - y * y); }
    case 5u: { return select(0.0, g, x > 0.0); }
    case 6u: {
      let t = m_tanh(GELU_C * (x + GELU_A * x * x * x));
      let du = GELU_C * (1.0 + 3.0 * GELU_A * x * x);
      return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du);
    }
    case 7u: { let s = m_sigmoid(x); return g * s * (1.0 + x * (1.0 - s)); }
    case 8u: { return g * y * (1.0 - y); }
    default: { return select(select(0.0, -g, x < 0.0), g, x > 0.0); }
  }
}
${LINEAR_WG}
`;

const UNARY: KernelSpec = {
  name: 'unary', params: { op: 'u32', n: 'u32' }, bindings: { x: 'f32', out: 'f32rw' },
  code: MATH + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  out[P.out_off + i] = unary_f(P.op, x[P.x_off + i]);
}`,
};

const UNARY_BACKWARD: KernelSpec = {
  name: 'unary_backward', params: { op: 'u32', n: 'u32' }, bindings: { x: 'f32', y: 'f32', dy: 'f32', dx: 'f32rw' },
  code: MATH + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  dx[P.dx_off + i] = unary_grad(P.op, x[P.x_off + i], y[P.y_off + i], dy[P.dy_off + i]);
}`,
};

/** Strided offsets of a row-major linear index over `shape` (rank nd). */
const STRIDED = /* wgsl */ `
fn strided(i: u32, nd: u32, shape: array<vec4<u32>, 2>, s: array<vec4<u32>, 2>) -> u32 {
  var rem = i;
  var o = 0u;
  for (var d = i32(nd) - 1; d >= 0; d--) {
    let n = at8(shape, u32(d));
    o += (rem % n) * at8(s, u32(d));
    rem /= n;
  }
  return o;
}
${LINEAR_WG}
`;

const BINARY: KernelSpec = {
  name: 'binary', params: { op: 'u32', n: 'u32', nd: 'u32', shape: 'u32x8', sa: 'u32x8', sb: 'u32x8' },
  bindings: { a: 'f32', b: 'f32', out: 'f32rw' },
  code: WGSL_MATH + STRIDED + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  let x = a[P.a_off + strided(i, P.nd, P.shape, P.sa)];
  let y = b[P.b_off + strided(i, P.nd, P.shape, P.sb)];
  var r: f32;
  switch P.op {
    case 0u: { r = x + y; }
    case 1u: { r = x - y; }
    case 2u: { r = x * y; }
    default: { r = m_div(x, y); }
  }
  out[P.out_off + i] = r;
}`,
};

const AFFINE: KernelSpec = {
  name: 'affine', params: { n: 'u32', alpha: 'f32', beta: 'f32' }, bindings: { x: 'f32', out: 'f32rw' },
  code: LINEAR_WG + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  out[P.out_off + i] = P.alpha * x[P.x_off + i] + P.beta;
}`,
};

const COPY: KernelSpec = {
  name: 'copy', params: { n: 'u32', nd: 'u32', acc: 'u32', shape: 'u32x8', ss: 'u32x8', ds: 'u32x8' },
  bindings: { src: 'f32', dst: 'f32rw' },
  code: STRIDED + /* wgsl */ `
${threadMain(WG, 'i')}
  if (i >= P.n) { return; }
  let v = src[P.src_off + strided(i, P.nd, P.shape, P.ss)];
  let d = P.dst_off + strided(i, P.nd, P.shape, P.ds);
  if (P.acc != 0u) { dst[d] = dst[d] + v; } else { dst[d] = v; }
}`,
};

const groups = (n: number): [number, number] => grid(Math.ceil(n / WG));

function total(shape: Int32Array): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkRank(op: string, shape: Int32Array): void {
  if (shape.length > MAX_RANK) throw new RangeError(`${op}: rank ${shape.length} exceeds the WebGPU kernels' ${MAX_RANK}`);
}

function checkOp(what: string, op: number, count: number): void {
  if (!Number.isInteger(op) || op < 0 || op >= count) throw new Error(`${what}: unknown op ${op}`);
}

export function unary(rt: GpuRuntime, op: number, x: GArr, out: GArr, n: number): void {
  checkOp('unary', op, 10);
  if (n > 0) unaliased(rt, [x], [[out, n]], ([o]) => rt.run(rt.kernel(UNARY), { op, n }, { x, out: o }, groups(n)));
}

export function unaryBackward(rt: GpuRuntime, op: number, x: GArr, y: GArr, dy: GArr, dx: GArr, n: number): void {
  checkOp('unaryBackward', op, 10);
  if (n > 0) {
    unaliased(rt, [x, y, dy], [[dx, n]], ([d]) => rt.run(rt.kernel(UNARY_BACKWARD), { op, n }, { x, y, dy, dx: d }, groups(n)));
  }
}

export function binary(rt: GpuRuntime, op: number, a: GArr, aOff: number, aS: Int32Array, b: GArr, bOff: number,
  bS: Int32Array, out: GArr, shape: Int32Array): void {
  checkOp('binary', op, 4);
  checkRank('binary', shape);
  const n = total(shape);
  if (n === 0) return;
  const av = { ...a, off: a.off + aOff }, bv = { ...b, off: b.off + bOff };
  unaliased(rt, [av, bv], [[out, n]], ([o]) =>
    rt.run(rt.kernel(BINARY), { op, n, nd: shape.length, shape, sa: aS, sb: bS }, { a: av, b: bv, out: o }, groups(n)));
}

export function affine(rt: GpuRuntime, x: GArr, out: GArr, n: number, alpha: number, beta: number): void {
  if (n > 0) unaliased(rt, [x], [[out, n]], ([o]) => rt.run(rt.kernel(AFFINE), { n, alpha, beta }, { x, out: o }, groups(n)));
}

export function copy(rt: GpuRuntime, src: GArr, srcOff: number, sS: Int32Array, dst: GArr, dstOff: number,
  dS: Int32Array, shape: Int32Array, accumulate: boolean): void {
  checkRank('copy', shape);
  const n = total(shape);
  if (n === 0) return;
  // dst is strided: a conflicting dst is swapped whole (from its view start to its buffer's end).
  const sv = { ...src, off: src.off + srcOff }, dv = { ...dst, off: dst.off + dstOff };
  unaliased(rt, [sv], [[dv, dst.buf.size / 4 - dv.off, true]], ([d]) =>
    rt.run(rt.kernel(COPY), { n, nd: shape.length, acc: accumulate ? 1 : 0, shape, ss: sS, ds: dS }, { src: sv, dst: d }, groups(n)));
}
