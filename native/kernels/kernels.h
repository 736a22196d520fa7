// kernels.h — every kernel the addon exports, by its one name (see src/backend/backend.ts).
#pragma once
#include "../check.h"

// Op codes shared with src/backend/backend.ts (UnaryOp / BinaryOp). Keep in sync.
enum UnaryOp { U_NEG = 0, U_EXP, U_LOG, U_SQRT, U_TANH, U_RELU, U_GELU, U_SILU, U_SIGMOID, U_ABS };
enum BinaryOp { B_ADD = 0, B_SUB, B_MUL, B_DIV };

void sgemm_one(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

void k_gemm(Args& a);
void k_unary(Args& a);
void k_unary_backward(Args& a);
void k_binary(Args& a);
void k_affine(Args& a);
void k_copy(Args& a);
void k_reduce(Args& a);
void k_softmax(Args& a);
void k_softmax_backward(Args& a);
void k_layer_norm(Args& a);
void k_layer_norm_backward(Args& a);
void k_rms_norm(Args& a);
void k_rms_norm_backward(Args& a);
void k_gather(Args& a);
void k_scatter_add(Args& a);
void k_attention(Args& a);
void k_attention_backward(Args& a);
void k_cross_entropy(Args& a);
void k_cross_entropy_backward(Args& a);
void k_adamw(Args& a);
void k_sum_squares(Args& a);
void k_vq_nearest(Args& a);
