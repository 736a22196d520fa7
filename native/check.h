// check.h — N-API argument helpers and error plumbing for the cm3leon addon.
// Every binding parses its arguments through Args, which throws a C++ exception with a clear
// message on a wrong type or extent; bind<> turns that exception into a JS Error (code
// CM3LEON_NATIVE) before any memory is touched.
#pragma once
#include <node_api.h>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

#define NAPI_CHECK(env, call)                                                          \
  do {                                                                                 \
    if ((call) != napi_ok) throw std::runtime_error(std::string("N-API call failed at ") \
        + __FILE__ + ":" + std::to_string(__LINE__) + ": " #call);                     \
  } while (0)

static constexpr double kMaxIndex = 1099511627776.0;  // 2^40: no valid size, offset or stride is larger

struct Args {
  napi_env env;
  size_t argc = 48;
  napi_value argv[48];
  Args(napi_env e, napi_callback_info info) : env(e) {
    NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  }
  void need(size_t i) const {
    if (i >= argc) throw std::invalid_argument("missing argument " + std::to_string(i));
  }
  template <typename T>
  T* array(size_t i, napi_typedarray_type want, const char* name, size_t* len = nullptr) {
    need(i);
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buf;
    size_t off;
    bool is;
    NAPI_CHECK(env, napi_is_typedarray(env, argv[i], &is));
    if (!is) throw std::invalid_argument(std::string("argument ") + std::to_string(i) + " must be a " + name);
    NAPI_CHECK(env, napi_get_typedarray_info(env, argv[i], &type, &length, &data, &buf, &off));
    if (type != want) throw std::invalid_argument(std::string("argument ") + std::to_string(i) + " must be a " + name);
    if (len) *len = length;
    return static_cast<T*>(data);
  }
  float* f32(size_t i, size_t* len = nullptr) { return array<float>(i, napi_float32_array, "Float32Array", len); }
  int32_t* i32(size_t i, size_t* len = nullptr) { return array<int32_t>(i, napi_int32_array, "Int32Array", len); }
  double* f64(size_t i, size_t* len = nullptr) { return array<double>(i, napi_float64_array, "Float64Array", len); }
  bool isNull(size_t i) const {
    if (i >= argc) return true;
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  double num(size_t i) {
    need(i);
    double v;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok)
      throw std::invalid_argument("argument " + std::to_string(i) + " must be a number");
    return v;
  }
  // An integer argument (offset, stride, op code): finite, whole, |v| <= 2^40.
  int64_t i64(size_t i) {
    double v = num(i);
    if (!(v == v && v >= -kMaxIndex && v <= kMaxIndex && v == static_cast<double>(static_cast<int64_t>(v))))
      throw std::invalid_argument("argument " + std::to_string(i) + " must be an integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
  }
  // A size: a whole number in [0, 2^40].
  int64_t dim(size_t i) {
    int64_t v = i64(i);
    if (v < 0) throw std::invalid_argument("argument " + std::to_string(i) + " is a size and must be >= 0, got " + std::to_string(v));
    return v;
  }
  bool flag(size_t i) { return num(i) != 0; }
};

// Saturating arithmetic for extent checks on non-negative values: an overflow becomes INT64_MAX,
// which then fails fits() instead of wrapping around to a small, passing number.
inline int64_t smul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
template <typename... T>
inline int64_t smul(int64_t a, int64_t b, T... rest) { return smul(smul(a, b), rest...); }
inline int64_t sadd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}
template <typename... T>
inline int64_t sadd(int64_t a, int64_t b, T... rest) { return sadd(sadd(a, b), rest...); }

// Check that an index range [0, n) fits a typed array of length len.
inline void fits(size_t len, int64_t n, const char* what) {
  if (n < 0 || static_cast<size_t>(n) > len)
    throw std::out_of_range(std::string(what) + ": needs " + std::to_string(n) + " elements, has " + std::to_string(len));
}

// Offsets and strides index forward from the start of a typed array: negative ones are rejected.
inline void nonneg(int64_t v, const char* what) {
  if (v < 0) throw std::out_of_range(std::string(what) + " must be >= 0, got " + std::to_string(v));
}

// Every id in [0, size) except `skip` (an ignore index) — checked before any write.
inline void check_ids(const int32_t* ids, int64_t n, int64_t size, const char* what, const char* where,
                      bool hasSkip = false, int32_t skip = 0) {
  for (int64_t i = 0; i < n; i++)
    if (!(hasSkip && ids[i] == skip) && (ids[i] < 0 || ids[i] >= size))
      throw std::out_of_range(std::string(what) + " " + std::to_string(ids[i]) + " at " + where + " " +
                              std::to_string(i) + " is out of range [0, " + std::to_string(size) + ")");
}

typedef void (*KernelFn)(Args&);

template <KernelFn F>
napi_value bind(napi_env env, napi_callback_info info) {
  try {
    Args a(env, info);
    F(a);
  } catch (const std::exception& e) {
    napi_throw_error(env, "CM3LEON_NATIVE", e.what());
  }
  return nullptr;
}
