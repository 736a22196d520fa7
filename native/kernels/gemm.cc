// gemm.cc — batched SGEMM on OpenBLAS (pthread build pinned to 1 thread per caller: its
// buffer allocator is locked, so concurrent calls from the pool are safe), split over the pool.
// C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b]; row-major; batches run in parallel, a single
// large product is split along its larger output dimension.
#include <cblas.h>
#include <algorithm>
#include <cstdlib>
#include <vector>
#include "../check.h"
#include "../pool.h"
#include "kernels.h"

static int64_t extent(bool trans, int64_t rows, int64_t cols, int64_t ld) {
  // op(X) is rows x cols; stored X is (trans ? cols x rows : rows x cols) with leading dim ld.
  return trans ? sadd(smul(cols - 1, ld), rows) : sadd(smul(rows - 1, ld), cols);
}

void sgemm_one(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
              alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

// Skinny products (M <= SKINNY_M rows, e.g. one decoding step's activations times a weight
// matrix): memory-bound over B, so read B once, directly, instead of BLAS packing it every call.
// op(A) is first gathered into a contiguous M x K block; split over the pool along N.
static const int64_t SKINNY_M = 4;

static void sgemm_skinny(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                         const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  std::vector<float> a((size_t)(M * K));
  for (int64_t m = 0; m < M; m++)
    for (int64_t k = 0; k < K; k++) a[m * K + k] = ta ? A[k * lda + m] : A[m * lda + k];
  auto store = [&](int64_t m, int64_t n, float s) {
    float& c = C[m * ldc + n];
    c = beta == 0.0f ? alpha * s : alpha * s + beta * c;
  };
  auto run = [&](int64_t n0, int64_t n1) {
    if (tb) {  // B stored N x K: one contiguous dot product per output
      for (int64_t n = n0; n < n1; n++) {
        const float* b = B + n * ldb;
        for (int64_t m = 0; m < M; m++) {
          const float* am = a.data() + m * K;
          float s = 0.0f;
#pragma omp simd reduction(+ : s)
          for (int64_t k = 0; k < K; k++) s += am[k] * b[k];
          store(m, n, s);
        }
      }
    } else {  // B stored K x N: accumulate scaled rows of B
      const int64_t w = n1 - n0;
      std::vector<float> acc((size_t)(M * w), 0.0f);
      for (int64_t k = 0; k < K; k++) {
        const float* b = B + k * ldb + n0;
        for (int64_t m = 0; m < M; m++) {
          const float av = a[m * K + k];
          float* acm = acc.data() + m * w;
#pragma omp simd
          for (int64_t j = 0; j < w; j++) acm[j] += av * b[j];
        }
      }
      for (int64_t m = 0; m < M; m++)
        for (int64_t j = 0; j < w; j++) store(m, n0 + j, acc[m * w + j]);
    }
  };
  // ~256k multiply-adds per task: on an idle machine this splits every decoding GEMM of the small
  // model over both cores (one image 199 -> 153 ms vs 1M, which kept the per-layer products on one
  // core); under load the pool's wake-up costs more. CM3LEON_SKINNY_GRAIN overrides it for A/B runs.
  static const int64_t grain = [] {
    const char* e = std::getenv("CM3LEON_SKINNY_GRAIN");
    const long long g = e ? std::atoll(e) : 0;
    return g > 0 ? (int64_t)g : (int64_t)1 << 18;
  }();
  if (pool::threads() == 1 || N * K * M < grain) { run(0, N); return; }
  const int64_t per = std::max<int64_t>(16, grain / std::max<int64_t>(1, K * M));
  pool::parallel_for((N + per - 1) / per, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) run(c * per, std::min(N, (c + 1) * per));
  });
}

void sgemm_parallel(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                    const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  static const bool skinny = [] { const char* e = std::getenv("CM3LEON_GEMM_SKINNY"); return !(e && e[0] == '0'); }();
  if (skinny && M <= SKINNY_M) {  // CM3LEON_GEMM_SKINNY=0 turns the path off (benchmark A/B)
    sgemm_skinny(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  const int T = pool::threads();
  if (T == 1 || M * N * K < (int64_t)96 * 96 * 96) {
    sgemm_one(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (M >= N) {
    int64_t chunks = T, per = ((M + chunks - 1) / chunks + 7) / 8 * 8;
    pool::parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; c++) {
        int64_t m0 = c * per, m1 = m0 + per < M ? m0 + per : M;
        if (m0 >= m1) continue;
        const float* Ap = ta ? A + m0 : A + m0 * lda;
        sgemm_one(ta, tb, m1 - m0, N, K, alpha, Ap, lda, B, ldb, beta, C + m0 * ldc, ldc);
      }
    });
  } else {
    int64_t chunks = T, per = ((N + chunks - 1) / chunks + 15) / 16 * 16;
    pool::parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; c++) {
        int64_t n0 = c * per, n1 = n0 + per < N ? n0 + per : N;
        if (n0 >= n1) continue;
        const float* Bp = tb ? B + n0 * ldb : B + n0;
        sgemm_one(ta, tb, M, n1 - n0, K, alpha, A, lda, Bp, ldb, beta, C + n0, ldc);
      }
    });
  }
}

// A stored rows x cols matrix needs ld >= cols (BLAS), except with one row, where ld is unused
// and is raised to keep BLAS happy.
static int64_t fix_ld(int64_t ld, int64_t rows, int64_t cols, const char* what) {
  if (rows <= 1) return ld < cols ? cols : ld;
  if (ld < cols) throw std::invalid_argument(std::string(what) + " (" + std::to_string(ld) +
                                             ") is smaller than the row width " + std::to_string(cols));
  return ld;
}

// gemm(A, aOff, B, bOff, C, cOff, M, N, K, transA, transB, lda, ldb, ldc, alpha, beta, batch, sA, sB, sC)
void k_gemm(Args& a) {
  size_t la, lb, lc;
  float* A = a.f32(0, &la);
  int64_t aOff = a.i64(1);
  float* B = a.f32(2, &lb);
  int64_t bOff = a.i64(3);
  float* C = a.f32(4, &lc);
  int64_t cOff = a.i64(5);
  int64_t M = a.dim(6), N = a.dim(7), K = a.dim(8);
  bool ta = a.flag(9), tb = a.flag(10);
  int64_t lda = a.i64(11), ldb = a.i64(12), ldc = a.i64(13);
  float alpha = (float)a.num(14), beta = (float)a.num(15);
  int64_t batch = a.dim(16), sA = a.i64(17), sB = a.i64(18), sC = a.i64(19);
  if (M < 0 || N < 0 || K < 0 || batch < 0) throw std::invalid_argument("gemm: negative size");
  if (M == 0 || N == 0 || batch == 0) return;
  for (int64_t v : {aOff, bOff, cOff, sA, sB, sC}) nonneg(v, "gemm offset/stride");
  lda = fix_ld(lda, ta ? K : M, ta ? M : K, "gemm lda");
  ldb = fix_ld(ldb, tb ? N : K, tb ? K : N, "gemm ldb");
  ldc = fix_ld(ldc, M, N, "gemm ldc");
  if (K == 0) {  // C = beta * C
    fits(lc, sadd(cOff, smul(batch - 1, sC), extent(false, M, N, ldc)), "gemm C");
    for (int64_t b = 0; b < batch; b++)
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) { float& c = C[cOff + b * sC + i * ldc + j]; c = beta == 0 ? 0.0f : beta * c; }
    return;
  }
  if (batch > 1 && sC < extent(false, M, N, ldc)) throw std::invalid_argument("gemm C: batches overlap (strideC too small)");
  fits(la, sadd(aOff, smul(batch - 1, sA), extent(ta, M, K, lda)), "gemm A");
  fits(lb, sadd(bOff, smul(batch - 1, sB), extent(tb, K, N, ldb)), "gemm B");
  fits(lc, sadd(cOff, smul(batch - 1, sC), extent(false, M, N, ldc)), "gemm C");
  if (batch == 1) {
    sgemm_parallel(ta, tb, M, N, K, alpha, A + aOff, lda, B + bOff, ldb, beta, C + cOff, ldc);
    return;
  }
  pool::parallel_for(batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      sgemm_one(ta, tb, M, N, K, alpha, A + aOff + b * sA, lda, B + bOff + b * sB, ldb, beta, C + cOff + b * sC, ldc);
  });
}
