// adamw.cc — one fused AdamW update (decoupled weight decay, PyTorch's formulation):
// p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps), with bc = 1 - beta^step.
#include <cmath>
#include "../pool.h"
#include "kernels.h"

// adamw(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step)
void k_adamw(Args& a) {
  size_t lp, lg, lm, lv;
  float* p = a.f32(0, &lp);
  const float* g = a.f32(1, &lg);
  float* m = a.f32(2, &lm);
  float* v = a.f32(3, &lv);
  int64_t n = a.dim(4);
  double lr = a.num(5), b1 = a.num(6), b2 = a.num(7), eps = a.num(8), wd = a.num(9);
  int64_t step = a.i64(10);
  fits(lp, n, "adamw param");
  fits(lg, n, "adamw grad");
  fits(lm, n, "adamw m");
  fits(lv, n, "adamw v");
  if (step < 1) throw std::invalid_argument("adamw: step must be >= 1");
  const float decay = (float)(1.0 - lr * wd);
  const float bc1 = (float)(1.0 - std::pow(b1, (double)step));
  const float rbc2 = (float)(1.0 / std::sqrt(1.0 - std::pow(b2, (double)step)));
  const float stepSize = (float)lr / bc1;
  const float fb1 = (float)b1, fb2 = (float)b2, feps = (float)eps;
  const float omb1 = (float)(1.0 - b1), omb2 = (float)(1.0 - b2);  // 1 - beta in double, then rounded
  pool::parallel_for(n, 1 << 15, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      float gi = g[i];
      float mi = fb1 * m[i] + omb1 * gi;
      float vi = fb2 * v[i] + omb2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay - stepSize * mi / (std::sqrt(vi) * rbc2 + feps);
    }
  });
}
