/**
 * tokenizer/text/bpe.ts — TextTokenizer: encode/decode with a byte-level BPE tokenizer.json through
 * the pure-JS `@huggingface/tokenizers` (no native binding at runtime). Loading validates the json;
 * encode never adds special/post-processor tokens; decode(encode(s)) === s for any well-formed
 * string; decode rejects ids outside [0, vocabSize) with a RangeError.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextCodec } from '../document.js';
import { TokenizerFormatError, idCount, serializeTokenizerJson, validateTokenizerJson, type TokenizerJson } from './format.js';
import { writeFileAtomic } from '../../io/atomic.js';

/** The part of tokenizers.js used here. Its published .d.ts files import './core/Tokenizer' without
 *  an extension, which NodeNext cannot resolve, so `Tokenizer` arrives as `any`; this restores types. */
interface JsTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  id_to_token(id: number): string | undefined;
}
const JsTokenizerClass = Tokenizer as unknown as new (json: object, config: object) => JsTokenizer;

export class TextTokenizer implements TextCodec {
  readonly vocabSize: number;
  private readonly json: TokenizerJson;
  private readonly tok: JsTokenizer;

  private constructor(json: TokenizerJson) {
    this.json = structuredClone(json);
    this.vocabSize = idCount(this.json);
    // post_processor is dropped (encode must not add BOS/EOS); clean_up_tokenization_spaces
    // defaults to true in tokenizers.js and would turn " ." into "." on decode.
    this.tok = new JsTokenizerClass({ ...structuredClone(this.json), post_processor: null }, { clean_up_tokenization_spaces: false });
  }

  /** From a tokenizer.json object, or from the path of a tokenizer.json file. */
  static fromJson(source: TokenizerJson | string): TextTokenizer {
    let raw: unknown = source;
    if (typeof source === 'string') {
      let text: string;
      try {
        text = readFileSync(source, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new TokenizerFormatError(code === 'ENOENT' ? `text tokenizer file not found: ${source}` : `cannot read text tokenizer ${source}: ${(e as Error).message}`);
      }
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new TokenizerFormatError(`text tokenizer ${source} is not valid JSON: ${(e as Error).message}`);
      }
    }
    try {
      return new TextTokenizer(validateTokenizerJson(raw));
    } catch (e) {
      if (typeof source === 'string' && e instanceof TokenizerFormatError) throw new TokenizerFormatError(`${source}: ${e.message}`);
      throw e;
    }
  }

  encode(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`TextTokenizer.encode: expected a string, got ${typeof text}`);
    if (text.length === 0) return [];
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`TextTokenizer.decode: token id ${id} outside [0, ${this.vocabSize})`);
      }
    }
    if (ids.length === 0) return '';
    return this.tok.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** The token string of `id` (byte-level symbols, e.g. "Ġcat"). */
  idToToken(id: number): string {
    const t = Number.isInteger(id) && id >= 0 && id < this.vocabSize ? this.tok.id_to_token(id) : undefined;
    if (t === undefined) throw new RangeError(`TextTokenizer.idToToken: token id ${id} outside [0, ${this.vocabSize})`);
    return t;
  }

  /** A deep copy of the tokenizer.json. */
  toJson(): TokenizerJson {
    return structuredClone(this.json);
  }

  /** Deterministic tokenizer.json text (the same tokenizer always gives the same bytes). */
  toJsonString(): string {
    return serializeTokenizerJson(this.json);
  }

  /** Atomic write: a temp file next to `path`, fsync, then rename over `path`. */
  save(path: string): void {
    saveTokenizerJson(this.json, path);
  }
}

export function saveTokenizerJson(json: TokenizerJson, path: string): void {
  writeFileAtomic(path, Buffer.from(serializeTokenizerJson(json), 'utf8'));
}
