// softmax.cc — row softmax / log-softmax over the last axis, forward and backward.
#include <cmath>
#include "../pool.h"
#include "../vmath.h"
#include "kernels.h"

static void softmax_row(const float* xp, float* yp, int64_t n, bool lg) {
  float m = row_max(xp, n);
  if (row_has_nan(xp, n) || m == -INFINITY || m == INFINITY) {  // as PyTorch: NaN out
    for (int64_t i = 0; i < n; i++) yp[i] = NAN;
    return;
  }
  float s = row_exp(xp, yp, n, m);
  if (lg) {
    float ls = std::log(s);  // (x - m) - log s keeps full precision when |m| is large
    for (int64_t i = 0; i < n; i++) yp[i] = (xp[i] - m) - ls;
  } else {
    float inv = 1.0f / s;
    for (int64_t i = 0; i < n; i++) yp[i] *= inv;
  }
}

static void softmax_backward_row(const float* yp, const float* gp, float* dp, int64_t n, bool lg) {
  float s = 0;
  if (lg) {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += gp[i];
    for (int64_t i = 0; i < n; i++) dp[i] = gp[i] - vexp(yp[i]) * s;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += gp[i] * yp[i];
    for (int64_t i = 0; i < n; i++) dp[i] = yp[i] * (gp[i] - s);
  }
}

// softmax(x, out, rows, n, log)
void k_softmax(Args& a) {
  size_t lx, lo;
  const float* x = a.f32(0, &lx);
  float* y = a.f32(1, &lo);
  int64_t rows = a.dim(2), n = a.dim(3);
  bool lg = a.flag(4);
  fits(lx, smul(rows, n), "softmax x");
  fits(lo, smul(rows, n), "softmax out");
  pool::parallel_for(rows, (1 << 14) / (n + 1) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) softmax_row(x + r * n, y + r * n, n, lg);
  });
}

// softmaxBackward(y, dy, dx, rows, n, log): y is the forward output.
void k_softmax_backward(Args& a) {
  size_t l1, l2, l3;
  const float* y = a.f32(0, &l1);
  const float* dy = a.f32(1, &l2);
  float* dx = a.f32(2, &l3);
  int64_t rows = a.dim(3), n = a.dim(4);
  bool lg = a.flag(5);
  fits(l1, smul(rows, n), "softmaxBackward y");
  fits(l2, smul(rows, n), "softmaxBackward dy");
  fits(l3, smul(rows, n), "softmaxBackward dx");
  pool::parallel_for(rows, (1 << 14) / (n + 1) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) softmax_backward_row(y + r * n, dy + r * n, dx + r * n, n, lg);
  });
}
