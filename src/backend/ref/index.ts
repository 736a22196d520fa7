/** ref/index.ts — the plain TypeScript reference backend (float32 and float64). */
import type { Backend } from '../backend.js';
import { attention, attentionBackward } from './attention.js';
import { affine, binary, copy, gemm, reduce, sumSquares, unary, unaryBackward } from './elementwise.js';
import * as nn from './nn.js';

export const refBackend: Backend = {
  name: 'ref',
  gemm, unary, unaryBackward, binary, affine, copy, reduce, sumSquares,
  softmax: nn.softmax, softmaxBackward: nn.softmaxBackward,
  layerNorm: nn.layerNorm, layerNormBackward: nn.layerNormBackward,
  rmsNorm: nn.rmsNorm, rmsNormBackward: nn.rmsNormBackward,
  gather: nn.gather, scatterAdd: nn.scatterAdd,
  attention, attentionBackward,
  crossEntropy: nn.crossEntropy, crossEntropyBackward: nn.crossEntropyBackward,
  adamw: nn.adamw, vqNearest: nn.vqNearest,
};
