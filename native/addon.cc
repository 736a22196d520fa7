// addon.cc — registers the native backend's kernels (see kernels/kernels.h) and pool controls.
#include "check.h"
#include "kernels/kernels.h"
#include "pool.h"

static void k_threads(Args& a) {
  if (!a.isNull(0)) pool::set_threads((int)a.i64(0));
}

extern "C" char* openblas_get_config(void);

static napi_value blas_config(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value get_threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, pool::threads(), &v);
  return v;
}

#define EXPORT(name, fn) {name, nullptr, bind<fn>, nullptr, nullptr, nullptr, napi_enumerable, nullptr}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      EXPORT("gemm", k_gemm),
      EXPORT("unary", k_unary),
      EXPORT("unaryBackward", k_unary_backward),
      EXPORT("binary", k_binary),
      EXPORT("affine", k_affine),
      EXPORT("copy", k_copy),
      EXPORT("reduce", k_reduce),
      EXPORT("sumSquares", k_sum_squares),
      EXPORT("softmax", k_softmax),
      EXPORT("softmaxBackward", k_softmax_backward),
      EXPORT("layerNorm", k_layer_norm),
      EXPORT("layerNormBackward", k_layer_norm_backward),
      EXPORT("rmsNorm", k_rms_norm),
      EXPORT("rmsNormBackward", k_rms_norm_backward),
      EXPORT("gather", k_gather),
      EXPORT("scatterAdd", k_scatter_add),
      EXPORT("attention", k_attention),
      EXPORT("attentionBackward", k_attention_backward),
      EXPORT("crossEntropy", k_cross_entropy),
      EXPORT("crossEntropyBackward", k_cross_entropy_backward),
      EXPORT("adamw", k_adamw),
      EXPORT("vqNearest", k_vq_nearest),
      EXPORT("setThreads", k_threads),
      {"getThreads", nullptr, get_threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blasConfig", nullptr, blas_config, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
