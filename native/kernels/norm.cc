// norm.cc — LayerNorm (affine or not) and RMSNorm over the last axis, forward and backward.
// Forward saves per-row mean/rstd; backward recomputes xhat from them.
#include <cmath>
#include <vector>
#include "../pool.h"
#include "kernels.h"
#include "../vmath.h"

static const int64_t kRowGrain = 16;

// layerNorm(x, w|null, b|null, out, mean, rstd, rows, n, eps)
void k_layer_norm(Args& a) {
  size_t lx, lw = 0, lb = 0, lo, lm, lr;
  const float* x = a.f32(0, &lx);
  const float* w = a.isNull(1) ? nullptr : a.f32(1, &lw);
  const float* b = a.isNull(2) ? nullptr : a.f32(2, &lb);
  float* y = a.f32(3, &lo);
  float* mean = a.f32(4, &lm);
  float* rstd = a.f32(5, &lr);
  int64_t rows = a.dim(6), n = a.dim(7);
  float eps = (float)a.num(8);
  fits(lx, smul(rows, n), "layerNorm x");
  fits(lo, smul(rows, n), "layerNorm out");
  fits(lm, rows, "layerNorm mean");
  fits(lr, rows, "layerNorm rstd");
  if (w) fits(lw, n, "layerNorm weight");
  if (b) fits(lb, n, "layerNorm bias");
  pool::parallel_for(rows, kRowGrain, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xp = x + r * n;
      float* yp = y + r * n;
      float mu = row_sum(xp, n) / n;
      float v = row_sq_dev(xp, n, mu);
      float rs = 1.0f / std::sqrt(v / n + eps);
      mean[r] = mu;
      rstd[r] = rs;
      if (w && b) for (int64_t i = 0; i < n; i++) yp[i] = (xp[i] - mu) * rs * w[i] + b[i];
      else if (w) for (int64_t i = 0; i < n; i++) yp[i] = (xp[i] - mu) * rs * w[i];
      else if (b) for (int64_t i = 0; i < n; i++) yp[i] = (xp[i] - mu) * rs + b[i];
      else for (int64_t i = 0; i < n; i++) yp[i] = (xp[i] - mu) * rs;
    }
  });
}

// Column-wise accumulation dw[i] += sum_r dy[r,i]*xhat[r,i], db[i] += sum_r dy[r,i], split over columns.
static void affine_grads(const float* x, const float* dy, const float* mean, const float* rstd, float* dw, float* db,
                         int64_t rows, int64_t n, bool center) {
  pool::parallel_for(n, 64, [=](int64_t c0, int64_t c1) {
    for (int64_t r = 0; r < rows; r++) {
      const float* xp = x + r * n;
      const float* gp = dy + r * n;
      float mu = center ? mean[r] : 0.0f, rs = rstd[r];
      if (dw) for (int64_t i = c0; i < c1; i++) dw[i] += gp[i] * (xp[i] - mu) * rs;
      if (db) for (int64_t i = c0; i < c1; i++) db[i] += gp[i];
    }
  });
}

// layerNormBackward(x, w|null, mean, rstd, dy, dx, dw|null, db|null, rows, n): dw/db accumulate.
void k_layer_norm_backward(Args& a) {
  size_t lx, lw = 0, lm, lr, lg, ld, ldw = 0, ldb = 0;
  const float* x = a.f32(0, &lx);
  const float* w = a.isNull(1) ? nullptr : a.f32(1, &lw);
  const float* mean = a.f32(2, &lm);
  const float* rstd = a.f32(3, &lr);
  const float* dy = a.f32(4, &lg);
  float* dx = a.f32(5, &ld);
  float* dw = a.isNull(6) ? nullptr : a.f32(6, &ldw);
  float* db = a.isNull(7) ? nullptr : a.f32(7, &ldb);
  int64_t rows = a.dim(8), n = a.dim(9);
  fits(lx, smul(rows, n), "layerNormBackward x");
  fits(lg, smul(rows, n), "layerNormBackward dy");
  fits(ld, smul(rows, n), "layerNormBackward dx");
  fits(lm, rows, "layerNormBackward mean");
  fits(lr, rows, "layerNormBackward rstd");
  if (w) fits(lw, n, "layerNormBackward weight");
  if (dw) fits(ldw, n, "layerNormBackward dw");
  if (db) fits(ldb, n, "layerNormBackward db");
  pool::parallel_for(rows, kRowGrain, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xp = x + r * n;
      const float* gp = dy + r * n;
      float* dp = dx + r * n;
      float mu = mean[r], rs = rstd[r];
      float s1 = 0, s2 = 0;  // mean(g), mean(g * xhat) with g = dy * w
#pragma omp simd reduction(+ : s1, s2)
      for (int64_t i = 0; i < n; i++) {
        float g = w ? gp[i] * w[i] : gp[i];
        s1 += g;
        s2 += g * (xp[i] - mu) * rs;
      }
      s1 /= n;
      s2 /= n;
      for (int64_t i = 0; i < n; i++) {
        float g = w ? gp[i] * w[i] : gp[i];
        dp[i] = rs * (g - s1 - (xp[i] - mu) * rs * s2);
      }
    }
  });
  if (dw || db) affine_grads(x, dy, mean, rstd, dw, db, rows, n, true);
}

// rmsNorm(x, w|null, out, rstd, rows, n, eps)
void k_rms_norm(Args& a) {
  size_t lx, lw = 0, lo, lr;
  const float* x = a.f32(0, &lx);
  const float* w = a.isNull(1) ? nullptr : a.f32(1, &lw);
  float* y = a.f32(2, &lo);
  float* rstd = a.f32(3, &lr);
  int64_t rows = a.dim(4), n = a.dim(5);
  float eps = (float)a.num(6);
  fits(lx, smul(rows, n), "rmsNorm x");
  fits(lo, smul(rows, n), "rmsNorm out");
  fits(lr, rows, "rmsNorm rstd");
  if (w) fits(lw, n, "rmsNorm weight");
  pool::parallel_for(rows, kRowGrain, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xp = x + r * n;
      float* yp = y + r * n;
      float v = row_dot(xp, xp, n);
      float rs = 1.0f / std::sqrt(v / n + eps);
      rstd[r] = rs;
      if (w) for (int64_t i = 0; i < n; i++) yp[i] = xp[i] * rs * w[i];
      else for (int64_t i = 0; i < n; i++) yp[i] = xp[i] * rs;
    }
  });
}

// rmsNormBackward(x, w|null, rstd, dy, dx, dw|null, rows, n): dw accumulates.
void k_rms_norm_backward(Args& a) {
  size_t lx, lw = 0, lr, lg, ld, ldw = 0;
  const float* x = a.f32(0, &lx);
  const float* w = a.isNull(1) ? nullptr : a.f32(1, &lw);
  const float* rstd = a.f32(2, &lr);
  const float* dy = a.f32(3, &lg);
  float* dx = a.f32(4, &ld);
  float* dw = a.isNull(5) ? nullptr : a.f32(5, &ldw);
  int64_t rows = a.dim(6), n = a.dim(7);
  fits(lx, smul(rows, n), "rmsNormBackward x");
  fits(lg, smul(rows, n), "rmsNormBackward dy");
  fits(ld, smul(rows, n), "rmsNormBackward dx");
  fits(lr, rows, "rmsNormBackward rstd");
  if (w) fits(lw, n, "rmsNormBackward weight");
  if (dw) fits(ldw, n, "rmsNormBackward dw");
  pool::parallel_for(rows, kRowGrain, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xp = x + r * n;
      const float* gp = dy + r * n;
      float* dp = dx + r * n;
      float rs = rstd[r], s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < n; i++) s += (w ? gp[i] * w[i] : gp[i]) * xp[i];
      s = s * rs * rs / n;
      for (int64_t i = 0; i < n; i++) dp[i] = rs * ((w ? gp[i] * w[i] : gp[i]) - xp[i] * s);
    }
  });
  if (dw) affine_grads(x, dy, nullptr, rstd, dw, nullptr, rows, n, false);
}
