// rawblas.cc — benchmark peer only (never used by the engine): raw cblas_sgemm of Debian's
// pthread OpenBLAS, called with its own threads, so `npm run bench -- engine` can time it in the
// same process as the engine's pool-split GEMM. dlopen returns the very library instance the
// engine links, so the thread setting is shared: bench/rawblas.ts sets it back to 1 after use.
#include <dlfcn.h>
#include <string>
#include "check.h"

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
typedef void (*threads_t)(int);
typedef char* (*config_t)();

static void* lib = nullptr;
static sgemm_t sgemm = nullptr;
static threads_t set_threads = nullptr;
static config_t get_config = nullptr;

static void load(Args& a) {
  std::string path = std::string("/usr/lib/") + CM3LEON_MULTIARCH + "/openblas-pthread/libopenblas.so.0";
  if (lib) return;
  lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) throw std::runtime_error(std::string("rawblas: cannot load ") + path + ": " + dlerror() +
                                     "\nHINT: apt-get install -y libopenblas0-pthread");
  sgemm = (sgemm_t)dlsym(lib, "cblas_sgemm");
  set_threads = (threads_t)dlsym(lib, "openblas_set_num_threads");
  get_config = (config_t)dlsym(lib, "openblas_get_config");
  if (!sgemm || !set_threads) throw std::runtime_error("rawblas: missing symbols");
  (void)a;
}

// sgemm(A, B, C, M, N, K, transA, transB): row-major, C = op(A) op(B)
static void k_sgemm(Args& a) {
  if (!lib) throw std::runtime_error("rawblas: call load() first");
  size_t la, lb, lc;
  float* A = a.f32(0, &la);
  float* B = a.f32(1, &lb);
  float* C = a.f32(2, &lc);
  int M = (int)a.i64(3), N = (int)a.i64(4), K = (int)a.i64(5);
  bool ta = a.flag(6), tb = a.flag(7);
  fits(la, (int64_t)M * K, "rawblas A");
  fits(lb, (int64_t)K * N, "rawblas B");
  fits(lc, (int64_t)M * N, "rawblas C");
  sgemm(101, ta ? 112 : 111, tb ? 112 : 111, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N, 0.0f, C, N);
}

static void k_threads(Args& a) {
  if (!lib) throw std::runtime_error("rawblas: call load() first");
  set_threads((int)a.i64(0));
}

static napi_value config(napi_env env, napi_callback_info) {
  napi_value v;
  const char* s = get_config ? get_config() : "not loaded";
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

#define EXPORT(name, fn) {name, nullptr, bind<fn>, nullptr, nullptr, nullptr, napi_enumerable, nullptr}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      EXPORT("load", load),
      EXPORT("sgemm", k_sgemm),
      EXPORT("setThreads", k_threads),
      {"config", nullptr, config, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
