/**
 * tokenizer/text/index.ts — the byte-level BPE text tokenizer: train (native `tokenizers`, Node
 * only, at build time) and TextTokenizer (pure JS, encode/decode at run time).
 */
export { TextTokenizer, saveTokenizerJson } from './bpe.js';
export { DEFAULT_TEXT_VOCAB, MAX_TEXT_VOCAB, trainTextBpe, truncateMerges, type TrainTextBpeOptions } from './train.js';
export {
  BYTE_TO_CHAR, TokenizerFormatError, buildTokenizerJson, serializeTokenizerJson, validateTokenizerJson,
  type Merge, type TokenizerJson,
} from './format.js';
