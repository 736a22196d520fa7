/**
 * tokenizer/image/tokenizer.ts — ImageTokenizer: the trained VQ model as an inference codec.
 * `encode` turns 8-bit RGB images into grid codes (raster order), `decode` turns codes back into
 * images; both run without gradients in batches. Load from a checkpoint written by training.
 */
import { loadCheckpoint } from '../../io/checkpoint.js';
import { readSafetensors } from '../../io/safetensors.js';
import { noGrad, tidy } from '../../tensor/index.js';
import { vectorQuantize } from '../../tensor/index.js';
import { decodeToRgb } from '../../data/image.js';
import { parseImageTokenizerConfig, tokensPerImage, type ImageTokenizerConfig } from './config.js';
import { ImageTokenizerModel } from './model.js';
import { fromTensor, toTensor } from './pixels.js';

export class ImageTokenizer {
  readonly config: ImageTokenizerConfig;
  /** Codes per image (grid side squared). */
  readonly tokensPerImage: number;

  constructor(readonly model: ImageTokenizerModel, readonly batch = 64) {
    this.config = model.config;
    this.tokensPerImage = tokensPerImage(model.config);
  }

  static load(path: string): ImageTokenizer {
    const config = parseImageTokenizerConfig(readSafetensors(path).metadata.config, path);
    const model = new ImageTokenizerModel(config);
    loadCheckpoint(path, model);
    return new ImageTokenizer(model);
  }

  /** Images of imageSize x imageSize x 3 bytes -> one code list per image. */
  encode(images: readonly Uint8Array[]): number[][] {
    const out: number[][] = [], N = this.tokensPerImage;
    for (let i = 0; i < images.length; i += this.batch) {
      const ids = noGrad(() => tidy(() => {
        const z = this.model.encode(toTensor(images.slice(i, i + this.batch), this.config.imageSize));
        return vectorQuantize(z, this.model.normalizedCodebook()).indices.toArray();
      }));
      for (let b = 0; b < ids.length / N; b++) out.push(ids.slice(b * N, (b + 1) * N));
    }
    return out;
  }

  /** Code lists (tokensPerImage each, in [0, codebookSize)) -> RGB images; bad codes throw. */
  decode(codes: readonly number[][]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < codes.length; i += this.batch) {
      out.push(...noGrad(() => tidy(() => fromTensor(this.model.decodeIndices(codes.slice(i, i + this.batch))))));
    }
    return out;
  }

  /** Any image file sharp reads, fitted (contain) onto white at the tokenizer's size, -> codes. */
  async encodeFile(path: string): Promise<{ codes: number[]; pixels: Uint8Array }> {
    const rgb = await decodeToRgb(path, this.config.imageSize);
    return { codes: this.encode([rgb.data])[0], pixels: rgb.data };
  }
}
