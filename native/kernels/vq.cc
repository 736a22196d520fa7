// vq.cc — nearest-codebook search for vector quantisation: for each row x_i of X (N, D) find
// argmin_k |x_i - c_k|^2 over the codebook C (K, D), via one GEMM per row block.
#include <cmath>
#include <vector>
#include "../pool.h"
#include "kernels.h"

// vqNearest(x, N, D, codebook, K, idxOut (Int32 N), distOut (F32 N))
void k_vq_nearest(Args& a) {
  size_t lx, lc, li, ld;
  const float* x = a.f32(0, &lx);
  int64_t N = a.dim(1), D = a.dim(2);
  const float* c = a.f32(3, &lc);
  int64_t K = a.dim(4);
  int32_t* idx = a.i32(5, &li);
  float* dist = a.f32(6, &ld);
  fits(lx, smul(N, D), "vqNearest x");
  fits(lc, smul(K, D), "vqNearest codebook");
  fits(li, N, "vqNearest idx");
  fits(ld, N, "vqNearest dist");
  if (K <= 0 || D <= 0) throw std::invalid_argument("vqNearest: empty codebook");
  std::vector<float> cn(K);
  for (int64_t k = 0; k < K; k++) {
    float s = 0;
    for (int64_t j = 0; j < D; j++) s += c[k * D + j] * c[k * D + j];
    cn[k] = s;
  }
  const int64_t block = 64;
  pool::parallel_for((N + block - 1) / block, 1, [&](int64_t b0, int64_t b1) {
    std::vector<float> S(block * K);
    for (int64_t blk = b0; blk < b1; blk++) {
      int64_t r0 = blk * block, r1 = r0 + block < N ? r0 + block : N, rows = r1 - r0;
      sgemm_one(false, true, rows, K, D, -2.0f, x + r0 * D, D, c, D, 0.0f, S.data(), K);
      for (int64_t r = 0; r < rows; r++) {
        const float* xr = x + (r0 + r) * D;
        float xn = 0;
        for (int64_t j = 0; j < D; j++) xn += xr[j] * xr[j];
        const float* sr = S.data() + r * K;
        float best = INFINITY;
        int32_t bi = 0;
        for (int64_t k = 0; k < K; k++) {
          float d = sr[k] + cn[k];
          if (d < best) { best = d; bi = (int32_t)k; }
        }
        idx[r0 + r] = bi;
        float dd = best + xn;
        dist[r0 + r] = dd > 0 ? dd : 0.0f;
      }
    }
  });
}
