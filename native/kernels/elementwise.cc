// elementwise.cc — unary (+ backward), broadcasting binary, affine and strided copy kernels.
#include <cmath>
#include "../pool.h"
#include "../vmath.h"
#include "kernels.h"
#include "../strided.h"

static const int64_t kGrain = 1 << 15;

template <typename F>
static void map_parallel(int64_t n, F f) {
  pool::parallel_for(n, kGrain, [&](int64_t b, int64_t e) { f(b, e); });
}

// Pointers are passed by value into small loop helpers (not captured by reference in the
// lambdas): otherwise GCC reloads them every iteration and refuses to vectorise.
template <typename F>
static void map1(const float* x, float* y, int64_t b, int64_t e, F f) {
  for (int64_t i = b; i < e; i++) y[i] = f(x[i]);
}

template <typename F>
static void map3(const float* x, const float* y, const float* dy, float* dx, int64_t b, int64_t e, F f) {
  for (int64_t i = b; i < e; i++) dx[i] = f(x[i], y[i], dy[i]);
}

static void unary_range(int op, const float* x, float* y, int64_t b, int64_t e) {
  switch (op) {
    case U_NEG: map1(x, y, b, e, [](float v) { return -v; }); break;
    case U_EXP: map1(x, y, b, e, [](float v) { return vexp(v); }); break;
    case U_LOG: map1(x, y, b, e, [](float v) { return std::log(v); }); break;
    case U_SQRT: map1(x, y, b, e, [](float v) { return std::sqrt(v); }); break;
    case U_TANH: map1(x, y, b, e, [](float v) { return std::tanh(v); }); break;
    case U_RELU: map1(x, y, b, e, [](float v) { return v > 0 ? v : (v != v ? v : 0.0f); }); break;
    case U_GELU: map1(x, y, b, e, [](float v) { return vgelu(v); }); break;
    case U_SILU: map1(x, y, b, e, [](float v) { return v * vsigmoid(v); }); break;
    case U_SIGMOID: map1(x, y, b, e, [](float v) { return vsigmoid(v); }); break;
    case U_ABS: map1(x, y, b, e, [](float v) { return std::fabs(v); }); break;
    default: break;
  }
}

static void unary_backward_range(int op, const float* x, const float* y, const float* dy, float* dx, int64_t b, int64_t e) {
  switch (op) {
    case U_NEG: map3(x, y, dy, dx, b, e, [](float, float, float g) { return -g; }); break;
    case U_EXP: map3(x, y, dy, dx, b, e, [](float, float o, float g) { return g * o; }); break;
    case U_LOG: map3(x, y, dy, dx, b, e, [](float v, float, float g) { return g / v; }); break;
    case U_SQRT: map3(x, y, dy, dx, b, e, [](float, float o, float g) { return g * 0.5f / o; }); break;
    case U_TANH: map3(x, y, dy, dx, b, e, [](float, float o, float g) { return g * (1.0f - o * o); }); break;
    case U_RELU: map3(x, y, dy, dx, b, e, [](float v, float, float g) { return v > 0 ? g : 0.0f; }); break;
    case U_GELU: map3(x, y, dy, dx, b, e, [](float v, float, float g) { return g * vgelu_grad(v); }); break;
    case U_SILU:
      map3(x, y, dy, dx, b, e, [](float v, float, float g) { float s = vsigmoid(v); return g * s * (1.0f + v * (1.0f - s)); });
      break;
    case U_SIGMOID: map3(x, y, dy, dx, b, e, [](float, float o, float g) { return g * o * (1.0f - o); }); break;
    case U_ABS: map3(x, y, dy, dx, b, e, [](float v, float, float g) { return v > 0 ? g : (v < 0 ? -g : 0.0f); }); break;
    default: break;
  }
}

// unary(op, x, out, n)
void k_unary(Args& a) {
  int op = (int)a.i64(0);
  size_t lx, lo;
  const float* x = a.f32(1, &lx);
  float* y = a.f32(2, &lo);
  int64_t n = a.dim(3);
  if (op < U_NEG || op > U_ABS) throw std::invalid_argument("unary: unknown op");
  fits(lx, n, "unary x");
  fits(lo, n, "unary out");
  map_parallel(n, [=](int64_t b, int64_t e) { unary_range(op, x, y, b, e); });
}

// unaryBackward(op, x, y, dy, dx, n): dx = dy * f'(x), using the saved input x and/or output y.
void k_unary_backward(Args& a) {
  int op = (int)a.i64(0);
  size_t l1, l2, l3, l4;
  const float* x = a.f32(1, &l1);
  const float* y = a.f32(2, &l2);
  const float* dy = a.f32(3, &l3);
  float* dx = a.f32(4, &l4);
  int64_t n = a.dim(5);
  if (op < U_NEG || op > U_ABS) throw std::invalid_argument("unaryBackward: unknown op");
  fits(l1, n, "unaryBackward x");
  fits(l2, n, "unaryBackward y");
  fits(l3, n, "unaryBackward dy");
  fits(l4, n, "unaryBackward dx");
  map_parallel(n, [=](int64_t b, int64_t e) { unary_backward_range(op, x, y, dy, dx, b, e); });
}

template <int OP>
static inline float bop(float x, float y) {
  if (OP == B_ADD) return x + y;
  if (OP == B_SUB) return x - y;
  if (OP == B_MUL) return x * y;
  return x / y;
}

template <int OP>
static void binary_1d(const float* A, int64_t sa, const float* B, int64_t sb, float* out, int64_t b, int64_t e) {
  if (sa == 1 && sb == 1) for (int64_t i = b; i < e; i++) out[i] = bop<OP>(A[i], B[i]);
  else if (sa == 1 && sb == 0) { float bv = B[0]; for (int64_t i = b; i < e; i++) out[i] = bop<OP>(A[i], bv); }
  else if (sa == 0 && sb == 1) { float av = A[0]; for (int64_t i = b; i < e; i++) out[i] = bop<OP>(av, B[i]); }
  else for (int64_t i = b; i < e; i++) out[i] = bop<OP>(A[i * sa], B[i * sb]);
}

// Rows of the last (collapsed) dimension; each row is one binary_1d run.
template <int OP>
static void binary_rows(const float* A, const int32_t* aS, const float* B, const int32_t* bS, float* out,
                        const int32_t* shape, int nd, int64_t r0, int64_t r1) {
  const int64_t inner = shape[nd - 1];
  for (int64_t r = r0; r < r1; r++) {
    int64_t rem = r, ao = 0, bo = 0;
    for (int d = nd - 2; d >= 0; d--) {
      int64_t idx = rem % shape[d];
      rem /= shape[d];
      ao += idx * aS[d];
      bo += idx * bS[d];
    }
    binary_1d<OP>(A + ao, aS[nd - 1], B + bo, bS[nd - 1], out + r * inner, 0, inner);
  }
}

// binary(op, a, aOff, aStrides, b, bOff, bStrides, out, shape): out is contiguous over shape;
// strides are element strides (0 on broadcast dims). The TS side collapses dims first.
void k_binary(Args& a) {
  int op = (int)a.i64(0);
  size_t la, lb, lo, nsa, nsb, nd;
  const float* A = a.f32(1, &la);
  int64_t aOff = a.i64(2);
  const int32_t* aS = a.i32(3, &nsa);
  const float* B = a.f32(4, &lb);
  int64_t bOff = a.i64(5);
  const int32_t* bS = a.i32(6, &nsb);
  float* out = a.f32(7, &lo);
  const int32_t* shape = a.i32(8, &nd);
  if (op < B_ADD || op > B_DIV) throw std::invalid_argument("binary: unknown op");
  Strided sa{aS, nsa, aOff, la, "a"}, sb{bS, nsb, bOff, lb, "b"};
  const int64_t total = check_strided(shape, nd, {&sa, &sb}, "binary");
  if (total == 0) return;
  aS = sa.strides;
  bS = sb.strides;
  fits(lo, total, "binary out");
  A += aOff;
  B += bOff;
  if (nd == 1) {  // one long row (same-shape or scalar operand): split the elements instead
    const int64_t sa = aS[0], sb = bS[0];
    map_parallel(total, [=](int64_t b, int64_t e) {
      switch (op) {
        case B_ADD: binary_1d<B_ADD>(A, sa, B, sb, out, b, e); break;
        case B_SUB: binary_1d<B_SUB>(A, sa, B, sb, out, b, e); break;
        case B_MUL: binary_1d<B_MUL>(A, sa, B, sb, out, b, e); break;
        case B_DIV: binary_1d<B_DIV>(A, sa, B, sb, out, b, e); break;
        default: break;
      }
    });
    return;
  }
  const int64_t rows = total / shape[nd - 1];
  const int64_t grain = kGrain / shape[nd - 1] + 1;
  pool::parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    switch (op) {
      case B_ADD: binary_rows<B_ADD>(A, aS, B, bS, out, shape, (int)nd, r0, r1); break;
      case B_SUB: binary_rows<B_SUB>(A, aS, B, bS, out, shape, (int)nd, r0, r1); break;
      case B_MUL: binary_rows<B_MUL>(A, aS, B, bS, out, shape, (int)nd, r0, r1); break;
      case B_DIV: binary_rows<B_DIV>(A, aS, B, bS, out, shape, (int)nd, r0, r1); break;
      default: break;
    }
  });
}

// affine(x, out, n, alpha, beta): out = alpha * x + beta
void k_affine(Args& a) {
  size_t lx, lo;
  const float* x = a.f32(0, &lx);
  float* y = a.f32(1, &lo);
  int64_t n = a.dim(2);
  float alpha = (float)a.num(3), beta = (float)a.num(4);
  fits(lx, n, "affine x");
  fits(lo, n, "affine out");
  map_parallel(n, [=](int64_t b, int64_t e) { map1(x, y, b, e, [=](float v) { return alpha * v + beta; }); });
}

// copy(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape, accumulate)
void k_copy(Args& a) {
  size_t ls, ld, n1, n2, nd;
  const float* S = a.f32(0, &ls);
  int64_t sOff = a.i64(1);
  const int32_t* sS = a.i32(2, &n1);
  float* D = a.f32(3, &ld);
  int64_t dOff = a.i64(4);
  const int32_t* dS = a.i32(5, &n2);
  const int32_t* shape = a.i32(6, &nd);
  bool acc = a.flag(7);
  Strided src{sS, n1, sOff, ls, "src"}, dst{dS, n2, dOff, ld, "dst", true};
  const int64_t total = check_strided(shape, nd, {&src, &dst}, "copy");
  if (total == 0) return;
  sS = src.strides;
  dS = dst.strides;
  const int64_t inner = shape[nd - 1], rows = total / inner;
  const int64_t si = sS[nd - 1], di = dS[nd - 1];
  pool::parallel_for(rows, kGrain / inner + 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t rem = r, so = sOff, dof = dOff;
      for (int d = (int)nd - 2; d >= 0; d--) {
        int64_t idx = rem % shape[d];
        rem /= shape[d];
        so += idx * sS[d];
        dof += idx * dS[d];
      }
      const float* sp = S + so;
      float* dp = D + dof;
      if (si == 1 && di == 1) {
        if (acc) for (int64_t i = 0; i < inner; i++) dp[i] += sp[i];
        else for (int64_t i = 0; i < inner; i++) dp[i] = sp[i];
      } else {
        if (acc) for (int64_t i = 0; i < inner; i++) dp[i * di] += sp[i * si];
        else for (int64_t i = 0; i < inner; i++) dp[i * di] = sp[i * si];
      }
    }
  });
}
