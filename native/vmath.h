// vmath.h — branch-free float math that GCC auto-vectorises (AVX2/AVX-512) inside plain loops.
// vexp is Cephes' expf polynomial (max rel. error ~2 ulp); NaN passes through, overflow -> inf,
// underflow -> 0. Scalar libm is used where a kernel is not hot (log, exact tanh).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

static inline float vexp(float x) {
  const float hi = 88.72283905206835f, lo = -103.97208f;  // ln(FLT_MAX); below lo exp rounds to 0
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  // Round to nearest with the 1.5*2^23 trick (|t| <= 150 here); std::floor blocks vectorisation.
  float t = xc * 1.44269504088896341f;
  float fx = (t + 12582912.0f) - 12582912.0f;
  float r = xc - fx * 0.693359375f + fx * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  // 2^n as two normal powers 2^n1 * 2^n2, so n = 128 (near FLT_MAX) and n < -126 (denormal
  // results) both stay exact.
  int32_t n = static_cast<int32_t>(fx), n1 = n >> 1, n2 = n - n1;
  float p1 = __builtin_bit_cast(float, (n1 + 127) << 23);
  float p2 = __builtin_bit_cast(float, (n2 + 127) << 23);
  float res = y * p1 * p2;
  res = x > hi ? INFINITY : res;
  res = x < lo ? 0.0f : res;
  return x != x ? x : res;
}

static inline float vsigmoid(float x) { return 1.0f / (1.0f + vexp(-x)); }

// tanh via exp; absolute error ~1e-7 (relative error grows near 0 — fine inside GELU).
static inline float vtanh(float x) {
  float ax = x < 0 ? -x : x;
  float e = vexp(-2.0f * ax);
  float t = (1.0f - e) / (1.0f + e);
  return x < 0 ? -t : t;
}

static constexpr float kGeluC = 0.7978845608028654f;  // sqrt(2/pi)
static constexpr float kGeluA = 0.044715f;

static inline float vgelu(float x) {
  float u = kGeluC * (x + kGeluA * x * x * x);
  return 0.5f * x * (1.0f + vtanh(u));
}

static inline float vgelu_grad(float x) {
  float u = kGeluC * (x + kGeluA * x * x * x);
  float t = vtanh(u);
  float du = kGeluC * (1.0f + 3.0f * kGeluA * x * x);
  return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
}

// Row helpers shared by softmax, cross-entropy and attention (reductions need -fopenmp-simd).
static inline float row_max(const float* x, int64_t n) {
  float m = -INFINITY;
#pragma omp simd reduction(max : m)
  for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static inline bool row_has_nan(const float* x, int64_t n) {
  int bad = 0;
#pragma omp simd reduction(| : bad)
  for (int64_t i = 0; i < n; i++) bad |= x[i] != x[i];
  return bad != 0;
}

// y = exp(x - m) (y may equal x); returns the sum.
static inline float row_exp(const float* x, float* y, int64_t n, float m) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) { float e = vexp(x[i] - m); y[i] = e; s += e; }
  return s;
}

static inline float row_sum_exp(const float* x, int64_t n, float m) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += vexp(x[i] - m);
  return s;
}

static inline float row_dot(const float* a, const float* b, int64_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static inline float row_sum(const float* x, int64_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

static inline float row_sq_dev(const float* x, int64_t n, float mu) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) { float d = x[i] - mu; s += d * d; }
  return s;
}
