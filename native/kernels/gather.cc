// gather.cc — index-select along the middle axis of (outer, size, inner) and its scatter-add
// backward. Embedding is gather with outer = 1. Out-of-range indices throw before any write.
#include <string>
#include "../pool.h"
#include "kernels.h"

// gather(src, outer, size, inner, idx, nIdx, out): out[o, j, :] = src[o, idx[j], :]
void k_gather(Args& a) {
  size_t ls, li, lo;
  const float* src = a.f32(0, &ls);
  int64_t outer = a.dim(1), size = a.dim(2), inner = a.dim(3);
  const int32_t* idx = a.i32(4, &li);
  int64_t n = a.dim(5);
  float* out = a.f32(6, &lo);
  fits(ls, smul(outer, size, inner), "gather src");
  fits(li, n, "gather idx");
  fits(lo, smul(outer, n, inner), "gather out");
  check_ids(idx, n, size, "index", "position");
  pool::parallel_for(outer * n, (1 << 14) / (inner + 1) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t o = r / n, j = r % n;
      const float* sp = src + (o * size + idx[j]) * inner;
      float* op = out + r * inner;
      for (int64_t k = 0; k < inner; k++) op[k] = sp[k];
    }
  });
}

// scatterAdd(dOut, outer, size, inner, idx, nIdx, dSrc): dSrc[o, idx[j], :] += dOut[o, j, :].
// Parallel over the inner columns (each thread owns a column range), so no write races.
void k_scatter_add(Args& a) {
  size_t lg, li, ld;
  const float* g = a.f32(0, &lg);
  int64_t outer = a.dim(1), size = a.dim(2), inner = a.dim(3);
  const int32_t* idx = a.i32(4, &li);
  int64_t n = a.dim(5);
  float* d = a.f32(6, &ld);
  fits(lg, smul(outer, n, inner), "scatterAdd grad");
  fits(li, n, "scatterAdd idx");
  fits(ld, smul(outer, size, inner), "scatterAdd out");
  check_ids(idx, n, size, "index", "position");
  pool::parallel_for(inner, inner * outer * n >= (1 << 15) ? 16 : inner, [=](int64_t c0, int64_t c1) {
    for (int64_t o = 0; o < outer; o++)
      for (int64_t j = 0; j < n; j++) {
        const float* gp = g + (o * n + j) * inner;
        float* dp = d + (o * size + idx[j]) * inner;
        for (int64_t k = c0; k < c1; k++) dp[k] += gp[k];
      }
  });
}
