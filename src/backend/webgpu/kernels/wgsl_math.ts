/**
 * webgpu/kernels/wgsl_math.ts — float32 exp, log and tanh for WGSL with CPU-grade accuracy.
 * WGSL's builtins may be off by 3 + 2|x| ULP (exp) or worse near 1 (log), and are on Mesa's
 * llvmpipe; these follow the classic Cody-Waite range reduction + minimax polynomials (Cephes
 * single precision), about 1 ULP, and give IEEE results at the edges (overflow to inf, log of a
 * negative is NaN, log(0) = -inf, NaN in, NaN out).
 */
/**
 * WGSL float classes by bits (x != x may be folded away by compilers that assume no NaNs) and the
 * special values as runtime values (WGSL rejects a constant expression that evaluates to inf or
 * NaN). Included once per kernel, through WGSL_MATH or reduce.ts FLOATS.
 */
export const FLOAT_BITS = /* wgsl */ `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn from_bits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
fn ninf() -> f32 { return from_bits(0xff800000u); }
fn pinf() -> f32 { return from_bits(0x7f800000u); }
fn nanf() -> f32 { return from_bits(0x7fc00000u); }
`;

export const WGSL_MATH = FLOAT_BITS + /* wgsl */ `

fn m_exp(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.72283905206835) { return pinf(); }
  if (x < -103.97208) { return 0.0; }
  let fx = floor(x * 1.44269504088896341 + 0.5);
  var r = x - fx * 0.693359375;
  r = r - fx * -2.12194440e-4;
  let z = r * r;
  var y = ((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1;
  y = y * z + r + 1.0;
  // 2^n in two steps so n = 128 (x just below the overflow bound) or n < -126 stays representable.
  let n = i32(fx);
  let h = n / 2;
  return y * exp2(f32(h)) * exp2(f32(n - h));
}

fn m_log(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nanf(); }
  if (x == 0.0) { return -pinf(); }
  if (x == pinf()) { return x; }
  let fr = frexp(x);
  var m = fr.fract;
  var e = f32(fr.exp);
  if (m < 0.707106781186547524) { e = e - 1.0; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m
    + 3.3333331174e-1) * m * z;
  y = y + e * -2.12194440e-4;
  y = y - 0.5 * z;
  return m + y + e * 0.693359375;
}

fn m_tanh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.625) {
    let z = x * x;
    return ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z
      - 3.33332819422e-1) * z * x + x;
  }
  if (a > 9.0) { return sign(x); }
  let t = 1.0 - 2.0 / (m_exp(2.0 * a) + 1.0);
  return select(t, -t, x < 0.0);
}

fn m_sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + m_exp(-x)); }


// Correctly rounded a / b and sqrt(x) (IEEE, as on the CPU): WGSL allows 2.5 ULP for division and
// an inexact sqrt, and NVIDIA's Vulkan driver uses fast approximations. One FMA-based Newton step on
// the residual fixes the last bit; the special cases (0, inf, NaN, huge) keep the plain result.
// Only where fma is fused (HAS_FUSED_FMA, probed by the runtime): otherwise the residual is not exact.
fn m_div(a: f32, b: f32) -> f32 {
  let q = a / b;
  if (!HAS_FUSED_FMA || !is_finite(q) || q == 0.0 || !is_finite(b) || abs(b) < 1.17549435e-38 || abs(a) > 1.0e37) { return q; }
  let r = fma(-q, b, a);
  return fma(r, 1.0 / b, q);
}
fn m_sqrt(x: f32) -> f32 {
  let s = sqrt(x);
  if (!HAS_FUSED_FMA || !(x > 1.17549435e-38) || !is_finite(x)) { return s; }
  let r = fma(-s, s, x);
  return fma(r, 0.5 / s, s);
}
`;
