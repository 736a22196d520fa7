// cross_entropy.cc — fused log-softmax + NLL over rows of logits with ignore-index and optional
// per-token weights. Forward writes the row log-sum-exp and the weighted row losses; the TS op
// normalises by the weight sum. Backward: dlogits = scale * w * (softmax - onehot).
#include <cmath>
#include <string>
#include "../pool.h"
#include "../vmath.h"
#include "kernels.h"

// dp = c * softmax(x) given the row log-sum-exp l (zeros when c == 0).
static void softmax_grad_row(const float* xp, float* dp, int64_t V, float l, float c) {
  if (c == 0) { for (int64_t j = 0; j < V; j++) dp[j] = 0; return; }
  for (int64_t j = 0; j < V; j++) dp[j] = c * vexp(xp[j] - l);
}

// crossEntropy(logits, rows, V, targets, weights|null, ignoreIndex, lse, rowLoss)
void k_cross_entropy(Args& a) {
  size_t lx, lt, lw = 0, ll, lr;
  const float* x = a.f32(0, &lx);
  int64_t rows = a.dim(1), V = a.dim(2);
  const int32_t* t = a.i32(3, &lt);
  const float* w = a.isNull(4) ? nullptr : a.f32(4, &lw);
  int32_t ignore = (int32_t)a.i64(5);
  float* lse = a.f32(6, &ll);
  float* rl = a.f32(7, &lr);
  fits(lx, smul(rows, V), "crossEntropy logits");
  fits(lt, rows, "crossEntropy targets");
  if (w) fits(lw, rows, "crossEntropy weights");
  fits(ll, rows, "crossEntropy lse");
  fits(lr, rows, "crossEntropy rowLoss");
  check_ids(t, rows, V, "target", "row", true, ignore);
  pool::parallel_for(rows, (1 << 14) / (V + 1) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xp = x + r * V;
      float m = row_max(xp, V);
      float l = m + std::log(row_sum_exp(xp, V, m));
      lse[r] = l;
      if (t[r] == ignore) { rl[r] = 0; continue; }
      float wr = w ? w[r] : 1.0f;
      rl[r] = wr == 0 ? 0.0f : wr * (l - xp[t[r]]);
    }
  });
}

// crossEntropyBackward(logits, rows, V, targets, weights|null, ignoreIndex, lse, scale, dlogits)
void k_cross_entropy_backward(Args& a) {
  size_t lx, lt, lw = 0, ll, ld;
  const float* x = a.f32(0, &lx);
  int64_t rows = a.dim(1), V = a.dim(2);
  const int32_t* t = a.i32(3, &lt);
  const float* w = a.isNull(4) ? nullptr : a.f32(4, &lw);
  int32_t ignore = (int32_t)a.i64(5);
  const float* lse = a.f32(6, &ll);
  float scale = (float)a.num(7);
  float* dx = a.f32(8, &ld);
  fits(lx, smul(rows, V), "crossEntropyBackward logits");
  fits(lt, rows, "crossEntropyBackward targets");
  if (w) fits(lw, rows, "crossEntropyBackward weights");
  fits(ll, rows, "crossEntropyBackward lse");
  fits(ld, smul(rows, V), "crossEntropyBackward dlogits");
  check_ids(t, rows, V, "target", "row", true, ignore);
  pool::parallel_for(rows, (1 << 14) / (V + 1) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      float c = t[r] == ignore ? 0.0f : scale * (w ? w[r] : 1.0f);
      softmax_grad_row(x + r * V, dx + r * V, V, lse[r], c);
      if (c != 0) dx[r * V + t[r]] -= c;
    }
  });
}
