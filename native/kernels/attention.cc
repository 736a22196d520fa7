// attention.cc — fused scaled-dot-product attention, forward and backward.
// Layout (B, T, H, D) with arbitrary batch/token/head strides and unit stride over D, so q, k, v
// can be views into one fused qkv projection. Forward keeps only the row log-sum-exp (B, H, Tq);
// backward recomputes the probabilities. Causal masking is offset by Tk - Tq (KV-cache decode).
// keyMask (B, Tk), 1 = attend, 0 = padding. A query row with no visible key outputs zeros.
#include <cmath>
#include <vector>
#include "../pool.h"
#include "../vmath.h"
#include "kernels.h"

struct View {
  float* p;
  size_t len;
  int64_t sB, sT, sH;
};

static View view(Args& a, int i) {
  View v;
  v.p = a.f32(i, &v.len);
  v.sB = a.i64(i + 1);
  v.sT = a.i64(i + 2);
  v.sH = a.i64(i + 3);
  return v;
}

// Strides must be >= 0; the token stride is BLAS's leading dimension, so it must be >= D unless
// there is a single token (then it is unused and raised to D).
static void check_view(View& v, int64_t B, int64_t T, int64_t H, int64_t D, const char* name) {
  nonneg(v.sB, name);
  nonneg(v.sT, name);
  nonneg(v.sH, name);
  if (B == 0 || T == 0 || H == 0) return;  // empty view
  if (T == 1 && v.sT < D) v.sT = D;
  if (v.sT < D) throw std::invalid_argument(std::string(name) + ": token stride " + std::to_string(v.sT) +
                                            " is smaller than the head size " + std::to_string(D));
  fits(v.len, sadd(smul(B - 1, v.sB), smul(T - 1, v.sT), smul(H - 1, v.sH), D), name);
}

struct Shape {
  int64_t B, Tq, Tk, H, D;
  bool causal;
  float scale;
  const float* mask;
};

static void exp_shift(float* row, int64_t n, float l) {
  for (int64_t j = 0; j < n; j++) row[j] = vexp(row[j] - l);
}

static void ds_row(const float* pr, float* dr, int64_t n, float d) {
  for (int64_t j = 0; j < n; j++) dr[j] = pr[j] * (dr[j] - d);
}

// Scores S = scale * Q K^T with masking, then P = softmax or exp(S - lse) (when lse is given).
static void probs(const Shape& s, const float* q, int64_t qs, const float* k, int64_t ks, const float* mrow, float* P,
                  float* lse_out, const float* lse_in) {
  sgemm_one(false, true, s.Tq, s.Tk, s.D, s.scale, q, qs, k, ks, 0.0f, P, s.Tk);
  const int64_t off = s.Tk - s.Tq;
  for (int64_t i = 0; i < s.Tq; i++) {
    float* row = P + i * s.Tk;
    int64_t lim = s.causal ? i + off + 1 : s.Tk;  // keys [0, lim) visible
    if (lim > s.Tk) lim = s.Tk;
    for (int64_t j = lim < 0 ? 0 : lim; j < s.Tk; j++) row[j] = -INFINITY;
    if (mrow)
      for (int64_t j = 0; j < s.Tk; j++) row[j] = mrow[j] != 0 ? row[j] : -INFINITY;
    if (lse_in) {
      float l = lse_in[i];
      if (l == -INFINITY) { for (int64_t j = 0; j < s.Tk; j++) row[j] = 0; continue; }
      exp_shift(row, s.Tk, l);
      continue;
    }
    float m = row_max(row, s.Tk);
    if (m == -INFINITY) {
      for (int64_t j = 0; j < s.Tk; j++) row[j] = 0;
      lse_out[i] = -INFINITY;
      continue;
    }
    float sum = row_exp(row, row, s.Tk, m);
    float inv = 1.0f / sum;
    for (int64_t j = 0; j < s.Tk; j++) row[j] *= inv;
    lse_out[i] = m + std::log(sum);
  }
}

static Shape parse_shape(Args& a, int i, size_t* maskLen) {
  Shape s;
  s.B = a.dim(i);
  s.Tq = a.dim(i + 1);
  s.Tk = a.dim(i + 2);
  s.H = a.dim(i + 3);
  s.D = a.dim(i + 4);
  s.causal = a.flag(i + 5);
  s.scale = (float)a.num(i + 6);
  s.mask = a.isNull(i + 7) ? nullptr : a.f32(i + 7, maskLen);
  if (s.Tk == 0 || s.D == 0) throw std::invalid_argument("attention: needs Tk >= 1 keys and head size D >= 1");
  if (s.causal && s.Tq > s.Tk) throw std::invalid_argument("attention: causal needs Tq <= Tk");
  return s;
}

// attention(q,qsB,qsT,qsH, k,..., v,..., out, lse, B,Tq,Tk,H,D, causal, scale, keyMask|null)
void k_attention(Args& a) {
  View q = view(a, 0), k = view(a, 4), v = view(a, 8);
  size_t lo, ll, lm = 0;
  float* out = a.f32(12, &lo);
  float* lse = a.f32(13, &ll);
  Shape s = parse_shape(a, 14, &lm);
  check_view(q, s.B, s.Tq, s.H, s.D, "attention q");
  check_view(k, s.B, s.Tk, s.H, s.D, "attention k");
  check_view(v, s.B, s.Tk, s.H, s.D, "attention v");
  fits(lo, smul(s.B, s.Tq, s.H, s.D), "attention out");
  fits(ll, smul(s.B, s.H, s.Tq), "attention lse");
  if (s.mask) fits(lm, smul(s.B, s.Tk), "attention keyMask");
  const int64_t HD = s.H * s.D;
  if (s.B * s.H * s.Tq == 0) return;
  pool::parallel_for(s.B * s.H, 1, [=](int64_t w0, int64_t w1) {
    std::vector<float> P(s.Tq * s.Tk);
    for (int64_t w = w0; w < w1; w++) {
      int64_t b = w / s.H, h = w % s.H;
      const float* qp = q.p + b * q.sB + h * q.sH;
      const float* kp = k.p + b * k.sB + h * k.sH;
      const float* vp = v.p + b * v.sB + h * v.sH;
      probs(s, qp, q.sT, kp, k.sT, s.mask ? s.mask + b * s.Tk : nullptr, P.data(), lse + w * s.Tq, nullptr);
      sgemm_one(false, false, s.Tq, s.D, s.Tk, 1.0f, P.data(), s.Tk, vp, v.sT, 0.0f, out + b * s.Tq * HD + h * s.D, HD);
    }
  });
}

// attentionBackward(q..., k..., v..., out, lse, dout, dq..., dk..., dv..., B,Tq,Tk,H,D, causal, scale, keyMask|null)
// out/dout are contiguous (B, Tq, H, D); dq/dk/dv are strided views (B, T, H, D), overwritten.
void k_attention_backward(Args& a) {
  View q = view(a, 0), k = view(a, 4), v = view(a, 8);
  size_t lo, ll, lg, lm = 0;
  const float* out = a.f32(12, &lo);
  const float* lse = a.f32(13, &ll);
  const float* dout = a.f32(14, &lg);
  View dq = view(a, 15), dk = view(a, 19), dv = view(a, 23);
  Shape s = parse_shape(a, 27, &lm);
  check_view(q, s.B, s.Tq, s.H, s.D, "attentionBackward q");
  check_view(k, s.B, s.Tk, s.H, s.D, "attentionBackward k");
  check_view(v, s.B, s.Tk, s.H, s.D, "attentionBackward v");
  const int64_t HD = s.H * s.D;
  fits(lo, smul(s.B, s.Tq, HD), "attentionBackward out");
  fits(lg, smul(s.B, s.Tq, HD), "attentionBackward dout");
  check_view(dq, s.B, s.Tq, s.H, s.D, "attentionBackward dq");
  check_view(dk, s.B, s.Tk, s.H, s.D, "attentionBackward dk");
  check_view(dv, s.B, s.Tk, s.H, s.D, "attentionBackward dv");
  fits(ll, smul(s.B, s.H, s.Tq), "attentionBackward lse");
  if (s.mask) fits(lm, smul(s.B, s.Tk), "attentionBackward keyMask");
  if (s.B * s.H * s.Tq == 0) return;
  pool::parallel_for(s.B * s.H, 1, [=](int64_t w0, int64_t w1) {
    std::vector<float> P(s.Tq * s.Tk), dP(s.Tq * s.Tk);
    for (int64_t w = w0; w < w1; w++) {
      int64_t b = w / s.H, h = w % s.H;
      const float* qp = q.p + b * q.sB + h * q.sH;
      const float* kp = k.p + b * k.sB + h * k.sH;
      const float* vp = v.p + b * v.sB + h * v.sH;
      const int64_t oq = b * s.Tq * HD + h * s.D;
      float* dqp = dq.p + b * dq.sB + h * dq.sH;
      float* dkp = dk.p + b * dk.sB + h * dk.sH;
      float* dvp = dv.p + b * dv.sB + h * dv.sH;
      probs(s, qp, q.sT, kp, k.sT, s.mask ? s.mask + b * s.Tk : nullptr, P.data(), nullptr, lse + w * s.Tq);
      // dV = P^T dO ; dP = dO V^T
      sgemm_one(true, false, s.Tk, s.D, s.Tq, 1.0f, P.data(), s.Tk, dout + oq, HD, 0.0f, dvp, dv.sT);
      sgemm_one(false, true, s.Tq, s.Tk, s.D, 1.0f, dout + oq, HD, vp, v.sT, 0.0f, dP.data(), s.Tk);
      for (int64_t i = 0; i < s.Tq; i++) {
        const float* o = out + oq + i * HD;
        const float* g = dout + oq + i * HD;
        ds_row(P.data() + i * s.Tk, dP.data() + i * s.Tk, s.Tk, row_dot(o, g, s.D));  // dS
      }
      // dQ = scale dS K ; dK = scale dS^T Q
      sgemm_one(false, false, s.Tq, s.D, s.Tk, s.scale, dP.data(), s.Tk, kp, k.sT, 0.0f, dqp, dq.sT);
      sgemm_one(true, false, s.Tk, s.D, s.Tq, s.scale, dP.data(), s.Tk, qp, q.sT, 0.0f, dkp, dk.sT);
    }
  });
}
