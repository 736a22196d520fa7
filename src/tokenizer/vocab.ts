/**
 * tokenizer/vocab.ts — the one vocabulary: [text tokens | image codes | sentinels]. Only this file
 * knows ids; everything else asks by name (vocab.brk, vocab.image(code), vocab.mask(i)).
 * Layout follows CM3Leon: text BPE ids first, then the image codebook, then the specials
 * <pad> <eos> <break> <infill> <mask:0..n-1> (CM3's enumerated mask sentinels).
 */
export interface VocabConfig {
  /** Text BPE vocabulary size. */
  textSize: number;
  /** Image codebook size (VQ codes). */
  imageCodes: number;
  /** Codes per image (grid height x width), e.g. 64 for an 8x8 grid. */
  imageTokens: number;
  /** Number of enumerated <mask:i> sentinels (CM3 uses up to 16). */
  maskSentinels: number;
}

export interface IdRange { start: number; end: number }

/**
 * The tiny CM3Leon preset's 64 ids (20 text + 24 codes + 4 specials + 16 masks, a 3x3 image grid):
 * the vocabulary of the engine check and the generation tests.
 */
export const TINY_VOCAB: Readonly<VocabConfig> = { textSize: 20, imageCodes: 24, imageTokens: 9, maskSentinels: 16 };

export class Vocab {
  readonly text: IdRange;
  readonly images: IdRange;
  readonly masks: IdRange;
  readonly pad: number;
  readonly eos: number;
  /** `<break>`: switches modality / separates segments. */
  readonly brk: number;
  readonly infill: number;
  readonly size: number;

  constructor(readonly config: VocabConfig) {
    for (const [k, v] of Object.entries(config)) {
      if (!Number.isInteger(v) || v < (k === 'maskSentinels' ? 0 : 1)) throw new RangeError(`Vocab: ${k} must be a positive integer, got ${v}`);
    }
    this.text = { start: 0, end: config.textSize };
    this.images = { start: config.textSize, end: config.textSize + config.imageCodes };
    let next = this.images.end;
    this.pad = next++;
    this.eos = next++;
    this.brk = next++;
    this.infill = next++;
    this.masks = { start: next, end: next + config.maskSentinels };
    this.size = this.masks.end;
  }

  get imageTokens(): number { return this.config.imageTokens; }

  isText(id: number): boolean { return id >= this.text.start && id < this.text.end; }
  isImage(id: number): boolean { return id >= this.images.start && id < this.images.end; }
  isMask(id: number): boolean { return id >= this.masks.start && id < this.masks.end; }
  isSpecial(id: number): boolean { return id >= this.images.end && id < this.size; }
  isValid(id: number): boolean { return Number.isInteger(id) && id >= 0 && id < this.size; }

  /** Id of image code c. */
  image(code: number): number {
    if (!Number.isInteger(code) || code < 0 || code >= this.config.imageCodes) {
      throw new RangeError(`image code ${code} outside [0, ${this.config.imageCodes})`);
    }
    return this.images.start + code;
  }

  /** Image code of id (throws if id is not an image code). */
  imageCode(id: number): number {
    if (!this.isImage(id)) throw new RangeError(`id ${id} is not an image code (${this.describe(id)})`);
    return id - this.images.start;
  }

  /** Id of <mask:i>. */
  mask(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.config.maskSentinels) {
      throw new RangeError(`mask sentinel ${i} outside [0, ${this.config.maskSentinels})`);
    }
    return this.masks.start + i;
  }

  maskIndex(id: number): number {
    if (!this.isMask(id)) throw new RangeError(`id ${id} is not a mask sentinel (${this.describe(id)})`);
    return id - this.masks.start;
  }

  /** Human-readable name of any id (debugging, error messages). */
  describe(id: number): string {
    if (!this.isValid(id)) return `invalid id ${id}`;
    if (this.isText(id)) return `text ${id}`;
    if (this.isImage(id)) return `image code ${id - this.images.start}`;
    if (this.isMask(id)) return `<mask:${id - this.masks.start}>`;
    return { [this.pad]: '<pad>', [this.eos]: '<eos>', [this.brk]: '<break>', [this.infill]: '<infill>' }[id] as string;
  }
}
