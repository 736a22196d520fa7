/**
 * tokenizer/text/format.ts — the byte-level BPE tokenizer.json (Hugging Face format) as this project
 * writes it: the GPT-2 byte<->char table, building the json from a merge list, strict validation
 * (everything `@huggingface/tokenizers` would otherwise get silently wrong) and a deterministic,
 * id-ordered serialization.
 */

export type Merge = [string, string];

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface ByteLevelJson { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean }

export interface BpeModelJson {
  type: 'BPE';
  dropout: null;
  unk_token: null;
  continuing_subword_prefix: null;
  end_of_word_suffix: null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges: boolean;
  vocab: Record<string, number>;
  merges: Merge[];
}

export interface SplitJson { type: 'Split'; pattern: { Regex: string }; behavior: 'Isolated'; invert: false }
export interface PreTokenizerSequenceJson { type: 'Sequence'; pretokenizers: [SplitJson, ByteLevelJson] }

export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: null;
  pre_tokenizer: PreTokenizerSequenceJson | ByteLevelJson;
  /** Always null as written here; a loaded one is accepted but never run (encode adds no tokens). */
  post_processor: object | null;
  decoder: ByteLevelJson;
  model: BpeModelJson;
}

export class TokenizerFormatError extends Error {
  override name = 'TokenizerFormatError';
}

/** GPT-2 bytes_to_unicode: printable bytes map to themselves, the other 68 to U+0100.. in byte order. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const direct = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(direct(b) ? b : 256 + n++));
  return out;
})();

/** GPT-2's word split, as the Rust ByteLevel pre-tokenizer applies it (Oniguruma regex). */
export const GPT2_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const BYTE_LEVEL: ByteLevelJson = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

/**
 * Split(GPT-2 regex) then ByteLevel without its own regex: the same pre-tokens as a plain ByteLevel
 * in Rust, but tokenizers.js runs a Split pattern through its Oniguruma translation (\s is
 * White_Space: U+0085 yes, U+FEFF no) while its ByteLevel uses a raw JS \s regex (the reverse), so
 * only this form gives the same ids in both libraries.
 */
function preTokenizer(): PreTokenizerSequenceJson {
  return {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: GPT2_SPLIT }, behavior: 'Isolated', invert: false },
      { ...BYTE_LEVEL, use_regex: false },
    ],
  };
}

/** A tokenizer.json: ids 0..255 are the bytes (in byte order), then one id per new merge result,
 *  then `specials` (added tokens, special: true). Throws if a merge uses an unknown symbol. */
export function buildTokenizerJson(merges: readonly Merge[], specials: readonly string[] = []): TokenizerJson {
  const vocab: Record<string, number> = Object.create(null);
  let size = 0;
  for (const c of BYTE_TO_CHAR) vocab[c] = size++;
  for (const [a, b] of merges) {
    if (!has(vocab, a) || !has(vocab, b)) throw new TokenizerFormatError(`merge "${a} ${b}" uses a symbol that is not in the vocabulary`);
    if (!has(vocab, a + b)) vocab[a + b] = size++;
  }
  const added: AddedTokenJson[] = [];
  for (const content of specials) {
    if (has(vocab, content)) throw new TokenizerFormatError(`special token ${JSON.stringify(content)} collides with a text token or another special token`);
    vocab[content] = size;
    added.push({ id: size++, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: preTokenizer(), post_processor: null, decoder: { ...BYTE_LEVEL },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: { ...vocab }, merges: merges.map(([a, b]) => [a, b]),
    },
  };
}

/** Own-property test: `in` would also see Object.prototype (a token may be "constructor"). */
function has(o: object, k: string): boolean {
  return Object.hasOwn(o, k);
}

function fail(msg: string): never {
  throw new TokenizerFormatError(`invalid text tokenizer.json: ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkByteLevel(v: unknown, what: string): void {
  if (!isObject(v) || v.type !== 'ByteLevel') fail(`${what} must be {"type":"ByteLevel",...}, got ${JSON.stringify(v)?.slice(0, 80)}`);
  if (v.add_prefix_space === true) fail(`${what}.add_prefix_space must be false (a prefix space breaks exact round trips)`);
}

/** ByteLevel, or Sequence[Split..., ByteLevel]: anything else could drop or change text. */
function checkPreTokenizer(v: unknown): void {
  if (isObject(v) && v.type === 'Sequence' && Array.isArray(v.pretokenizers) && v.pretokenizers.length > 0) {
    const parts = v.pretokenizers as unknown[];
    parts.slice(0, -1).forEach((p, i) => {
      if (!isObject(p) || p.type !== 'Split' || p.invert === true || !['Isolated', 'isolated'].includes(String(p.behavior))) {
        fail(`pre_tokenizer.pretokenizers[${i}] must be an isolating Split, got ${JSON.stringify(p)?.slice(0, 80)}`);
      }
    });
    checkByteLevel(parts[parts.length - 1], 'pre_tokenizer.pretokenizers (last)');
  } else {
    checkByteLevel(v, 'pre_tokenizer');
  }
}

/**
 * Checks that `raw` is a byte-level BPE tokenizer.json whose ids are 0..n-1 without gaps, whose 256
 * byte symbols are all present and whose merges only make tokens in the vocabulary. (With
 * unk_token null, `@huggingface/tokenizers` silently drops any symbol not in the vocabulary, so
 * anything less would lose text.) Returns `raw` typed; throws TokenizerFormatError otherwise.
 */
export function validateTokenizerJson(raw: unknown): TokenizerJson {
  if (!isObject(raw)) fail('not a JSON object');
  const model = raw.model;
  if (!isObject(model)) fail('missing "model"');
  if (model.type !== 'BPE') fail(`model.type must be "BPE", got ${JSON.stringify(model.type)}`);
  if (raw.normalizer !== null && raw.normalizer !== undefined) fail('normalizer must be null (a normalizer breaks exact round trips)');
  checkPreTokenizer(raw.pre_tokenizer);
  checkByteLevel(raw.decoder, 'decoder');
  for (const k of ['dropout', 'continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[k] !== null && model[k] !== undefined) fail(`model.${k} must be null`);
  }
  if (model.byte_fallback === true) fail('model.byte_fallback must be false');
  const vocab = model.vocab;
  if (!isObject(vocab)) fail('model.vocab must be an object');
  const byId: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`vocab id of ${JSON.stringify(tok)} is ${JSON.stringify(id)}`);
    if (byId[id as number] !== undefined) fail(`vocab id ${id} used twice`);
    byId[id as number] = tok;
  }
  const added = raw.added_tokens ?? [];
  if (!Array.isArray(added)) fail('added_tokens must be an array');
  for (const t of added) {
    if (!isObject(t) || typeof t.content !== 'string' || !Number.isInteger(t.id) || (t.id as number) < 0) fail('malformed added token');
    const prev = byId[t.id as number];
    if (prev !== undefined && prev !== t.content) fail(`added token ${JSON.stringify(t.content)} reuses id ${t.id} of ${JSON.stringify(prev)}`);
    byId[t.id as number] = t.content;
  }
  for (let i = 0; i < byId.length; i++) if (byId[i] === undefined) fail(`ids are not contiguous: id ${i} is missing`);
  for (let b = 0; b < 256; b++) if (!has(vocab, BYTE_TO_CHAR[b]!)) fail(`byte 0x${b.toString(16)} has no token`);
  if (!Array.isArray(model.merges)) fail('model.merges must be an array');
  model.merges.forEach((m: unknown, i: number) => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') fail(`merge ${i} is malformed`);
    for (const s of [pair[0], pair[1], pair[0] + pair[1]]) if (!has(vocab, s)) fail(`merge ${i} (${pair.join(' ')}) involves ${JSON.stringify(s)}, not in the vocabulary`);
  });
  return raw as unknown as TokenizerJson;
}

/** Number of ids (model vocab plus added tokens outside it); assumes a validated json. */
export function idCount(json: TokenizerJson): number {
  let n = Object.keys(json.model.vocab).length;
  for (const t of json.added_tokens) if (!has(json.model.vocab, t.content)) n++;
  return n;
}

/** Deterministic JSON text: fixed key order, vocab written in id order, one merge per line. */
export function serializeTokenizerJson(json: TokenizerJson): string {
  const s = JSON.stringify;
  const vocab = Object.entries(json.model.vocab).sort((a, b) => a[1] - b[1]).map(([t, id]) => `      ${s(t)}: ${id}`);
  const { vocab: _v, merges, ...modelRest } = json.model;
  const modelHead = Object.entries(modelRest).map(([k, v]) => `    ${s(k)}: ${s(v)}`);
  const head = (['version', 'truncation', 'padding', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const)
    .map((k) => `  ${s(k)}: ${s(json[k] ?? null)}`);
  return [
    '{', ...head.map((l) => `${l},`), '  "model": {', ...modelHead.map((l) => `${l},`),
    `    "vocab": {\n${vocab.join(',\n')}\n    },`,
    `    "merges": [\n${merges.map((m) => `      ${s(m)}`).join(',\n')}\n    ]`,
    '  }', '}', '',
  ].join('\n');
}
