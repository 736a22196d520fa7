/**
 * eval/index.ts — evaluation metrics (issue #7 "Evaluation"; paper §7): FID and KID on features
 * from a fixed image encoder, CLIP score from precomputed embeddings, and caption metrics.
 */
export { featureStats, fid, frechetDistance, frechetParts, type FrechetParts, type GaussianStats } from './fid.js';
export { kid, type KidOptions, type KidResult } from './kid.js';
export { CLIP_SCORE_WEIGHT, HESSEL_CLIPS_WEIGHT, clipScore, cosine, type ClipScoreResult } from './clipscore.js';
export {
  bleu, ciderD, conceptAccuracy, containsConcept, tokenize,
  type BleuOptions, type BleuResult, type BleuSmoothing, type CiderOptions, type CiderResult, type References,
} from './text_metrics.js';
export { matmulSquare, sqrtPsd, symmetricEigen, type SymmetricEigen } from './linalg.js';
export type { FeatureRows, Vector } from './features.js';
