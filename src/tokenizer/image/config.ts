/**
 * tokenizer/image/config.ts — the image tokenizer's configuration: the only place that knows the
 * grid geometry and codebook size. Presets: vq64 (64x64 -> 8x8 = 64 tokens) and vq256 (16x16).
 */
export interface ImageTokenizerConfig {
  imageSize: number;
  /** Patch side in pixels; the grid is imageSize/patch per side. */
  patch: number;
  codebookSize: number;
  /** Dimension of the l2-normalised code vectors (low-dimensional codes resist collapse). */
  codeDim: number;
  dModel: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  mlpHidden: number;
  /** Weight of the commitment loss |z - sg(q)|^2. */
  commitment: number;
  seed: number;
}

const base = { imageSize: 64, codebookSize: 1024, codeDim: 16, heads: 4, mlpHidden: 768, commitment: 0.25, seed: 7 };

export const IMAGE_TOKENIZER_PRESETS: Record<string, ImageTokenizerConfig> = {
  vq64: { ...base, patch: 8, dModel: 256, encoderLayers: 3, decoderLayers: 3 },
  vq256: { ...base, patch: 4, dModel: 192, encoderLayers: 3, decoderLayers: 3 },
  tiny: { ...base, imageSize: 16, patch: 4, codebookSize: 64, codeDim: 8, dModel: 32, heads: 2, encoderLayers: 1, decoderLayers: 1, mlpHidden: 64 },
};

export function gridSize(c: ImageTokenizerConfig): number {
  if (c.imageSize % c.patch !== 0) throw new RangeError(`imageSize ${c.imageSize} is not a multiple of patch ${c.patch}`);
  return c.imageSize / c.patch;
}

/** Tokens per image. */
export function tokensPerImage(c: ImageTokenizerConfig): number {
  return gridSize(c) ** 2;
}
