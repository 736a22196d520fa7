/**
 * tokenizer/image/config.ts — the image tokenizer's configuration: the only place that knows the
 * grid geometry and codebook size. Presets: vq64 (64x64 -> 8x8 = 64 tokens) and vq256 (16x16).
 */
import { ConfigError, mergeConfig } from '../../config/config.js';

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
  /**
   * Layers of the decoder's upsampling stage: each grid token becomes a 2x2 block of tokens of
   * width upDModel, refined on the 2x finer grid, each decoding (patch/2)^2 pixels. 0 = none.
   */
  upLayers: number;
  upDModel: number;
  upMlpHidden: number;
  /** Weight of the commitment loss |z - sg(q)|^2. */
  commitment: number;
  seed: number;
}

const base = {
  imageSize: 64, codebookSize: 4096, codeDim: 16, heads: 4, mlpHidden: 768, upLayers: 0, upDModel: 128, upMlpHidden: 512,
  commitment: 0.25, seed: 7,
};

/**
 * vq64 and vq256 come from a PyTorch sweep on a lent GPU (dev/vq_explore.py, docs/tokenizer.md):
 * 4096 codes beat 1024 by ~1.2 dB and the upsampling stage adds ~0.4 dB at 64 tokens.
 */
export const IMAGE_TOKENIZER_PRESETS: Record<string, ImageTokenizerConfig> = {
  vq64: { ...base, patch: 8, dModel: 256, encoderLayers: 3, decoderLayers: 3, upLayers: 2 },
  vq256: { ...base, patch: 4, dModel: 192, encoderLayers: 3, decoderLayers: 3 },
  tiny: {
    ...base, imageSize: 16, patch: 4, codebookSize: 64, codeDim: 8, dModel: 32, heads: 2, encoderLayers: 1, decoderLayers: 1,
    mlpHidden: 64, upLayers: 1, upDModel: 16, upMlpHidden: 32,
  },
};

export function gridSize(c: ImageTokenizerConfig): number {
  if (c.imageSize % c.patch !== 0) throw new RangeError(`imageSize ${c.imageSize} is not a multiple of patch ${c.patch}`);
  if (c.upLayers > 0 && c.patch % 2 !== 0) throw new RangeError(`upLayers > 0 needs an even patch, got ${c.patch}`);
  return c.imageSize / c.patch;
}

/** Tokens per image. */
export function tokensPerImage(c: ImageTokenizerConfig): number {
  return gridSize(c) ** 2;
}

/**
 * A config read back from a checkpoint's metadata: unknown keys and wrong types are rejected;
 * files written before the upsampling stage existed (no up* keys) load with upLayers = 0.
 */
export function parseImageTokenizerConfig(json: string | undefined, where: string): ImageTokenizerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? 'null');
  } catch {
    throw new ConfigError(`${where}: tokenizer config in metadata is not JSON`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where}: no image tokenizer config in its metadata`);
  const keys = Object.keys(IMAGE_TOKENIZER_PRESETS.vq64).filter((k) => !k.startsWith('up'));
  const missing = keys.filter((k) => !(k in raw));
  if (missing.length) throw new ConfigError(`${where}: tokenizer config lacks ${missing.join(', ')}`);
  const c = mergeConfig({ ...IMAGE_TOKENIZER_PRESETS.vq64, upLayers: 0 } as unknown as Record<string, number>,
    raw as Record<string, unknown>, 'image tokenizer') as unknown as ImageTokenizerConfig;
  gridSize(c);
  return c;
}
