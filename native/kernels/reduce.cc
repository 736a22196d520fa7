// reduce.cc — sum/max over the middle axis of a contiguous (outer, n, inner) view, and the
// sum of squares used by global-norm gradient clipping.
#include <cmath>
#include "../pool.h"
#include "kernels.h"
#include "../vmath.h"

// out[i] = sum_k x[k * inner + i] for i in [i0, i1)
static void sum_columns(const float* x, float* out, int64_t n, int64_t inner, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; i++) out[i] = x[i];
  for (int64_t k = 1; k < n; k++)
    for (int64_t i = i0; i < i1; i++) out[i] += x[k * inner + i];
}

// reduce(op, x, outer, n, inner, out, argmax|null): op 0 = sum, 1 = max (argmax records the index).
void k_reduce(Args& a) {
  int op = (int)a.i64(0);
  size_t lx, lo, li = 0;
  const float* x = a.f32(1, &lx);
  int64_t outer = a.dim(2), n = a.dim(3), inner = a.dim(4);
  float* out = a.f32(5, &lo);
  int32_t* arg = a.isNull(6) ? nullptr : a.i32(6, &li);
  if (op != 0 && op != 1) throw std::invalid_argument("reduce: unknown op");
  if (n <= 0) throw std::invalid_argument("reduce: empty axis");
  fits(lx, smul(outer, n, inner), "reduce x");
  fits(lo, smul(outer, inner), "reduce out");
  if (arg) fits(li, smul(outer, inner), "reduce argmax");
  if (outer == 0 || inner == 0) return;
  if (op == 0 && outer < pool::threads() && inner >= 64) {
    // Few outer slices (e.g. a bias gradient: sum over rows): split the columns instead.
    for (int64_t o = 0; o < outer; o++) {
      const float* xp = x + o * n * inner;
      float* op_ = out + o * inner;
      pool::parallel_for(inner, 16, [=](int64_t i0, int64_t i1) { sum_columns(xp, op_, n, inner, i0, i1); });
    }
    return;
  }
  pool::parallel_for(outer, (1 << 15) / (n * inner) + 1, [=](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++) {
      const float* xp = x + o * n * inner;
      float* op_ = out + o * inner;
      if (op == 0) {
        if (inner == 1) {
          op_[0] = row_sum(xp, n);
        } else {
          sum_columns(xp, op_, n, inner, 0, inner);
        }
      } else {
        int32_t* ap = arg ? arg + o * inner : nullptr;
        for (int64_t i = 0; i < inner; i++) {
          float m = xp[i];
          int32_t mi = 0;
          for (int64_t k = 1; k < n; k++) {
            float v = xp[k * inner + i];
            if (v > m || (v != v && m == m)) { m = v; mi = (int32_t)k; }
          }
          op_[i] = m;
          if (ap) ap[i] = mi;
        }
      }
    }
  });
}

// sumSquares(x, n, out: Float64Array(1)) — 16 float lanes per thread, combined in double.
void k_sum_squares(Args& a) {
  size_t lx, lo;
  const float* x = a.f32(0, &lx);
  int64_t n = a.dim(1);
  double* out = a.f64(2, &lo);
  fits(lx, n, "sumSquares x");
  fits(lo, 1, "sumSquares out");
  double part[64] = {0};
  int T = pool::threads();
  pool::parallel_for(T, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      int64_t per = (n + T - 1) / T, b = t * per, e = b + per < n ? b + per : n;
      float acc[16] = {0};
      int64_t i = b;
      for (; i + 16 <= e; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += x[i + j] * x[i + j];
      double s = 0;
      for (int j = 0; j < 16; j++) s += acc[j];
      for (; i < e; i++) s += (double)x[i] * x[i];
      part[t] = s;
    }
  });
  double s = 0;
  for (int t = 0; t < T; t++) s += part[t];
  out[0] = s;
}
