/** Byte-level BPE text tokenizer (src/tokenizer/text): training, exact round trips, determinism,
 *  compression, pure-JS vs Rust ids, and clear errors on bad input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TextTokenizer, TokenizerFormatError, serializeTokenizerJson, trainTextBpe, truncateMerges, type Merge, type TokenizerJson,
} from '../../src/tokenizer/text/index.js';

/** Deterministic synthetic captions (mulberry32 over templates). */
function captions(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const colors = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'black', 'white', 'pink', 'brown', 'grey', 'teal'];
  const shapes = ['circle', 'square', 'triangle', 'star', 'heart', 'hexagon', 'diamond', 'pentagon', 'crescent', 'arrow'];
  const sizes = ['small', 'large', 'tiny', 'huge', 'medium-sized'];
  const places = ['above', 'below', 'to the left of', 'to the right of', 'next to', 'inside', 'behind'];
  const emoji = ['grinning face', 'cat with tears of joy', 'red heart', 'thumbs up', 'rocket', 'pizza', 'party popper',
    'waving hand', 'face with rolling eyes', 'sparkles', 'fire', 'rainbow', 'unicorn', 'smiling face with sunglasses'];
  const styles = ['Google', 'Twitter', 'OpenMoji', 'flat', 'outline', 'hand-drawn'];
  const hair = ['short curly', 'long straight', 'wavy', 'braided', 'shaved', 'bob-cut'];
  const accessories = ['round glasses', 'a red hat', 'earrings', 'a scarf', 'headphones', 'a mustache'];
  const countries = ['France', 'Japan', 'Brazil', 'Canada', 'Kenya', 'Norway', 'India', 'Mexico', 'Germany', 'Peru'];
  const templates: (() => string)[] = [
    () => `A ${pick(sizes)} ${pick(colors)} ${pick(shapes)} ${pick(places)} a ${pick(colors)} ${pick(shapes)}.`,
    () => `The ${pick(emoji)} emoji in ${pick(styles)} style on a ${pick(colors)} background`,
    () => `An avatar with ${pick(hair)} ${pick(colors)} hair, ${pick(colors)} eyes and ${pick(accessories)}.`,
    () => `The flag of ${pick(countries)}, drawn as a ${pick(sizes)} ${pick(shapes)}`,
    () => `${1 + Math.floor(rnd() * 12)} ${pick(colors)} ${pick(shapes)}s arranged in a grid, ${pick(emoji)} in the middle`,
  ];
  return Array.from({ length: n }, () => pick(templates)());
}

const TRAIN = captions(3000, 1);
const HELD_OUT = captions(500, 2);
const json = trainTextBpe(TRAIN, { vocabSize: 512 });
const tok = TextTokenizer.fromJson(json);
const rust = createRequire(import.meta.url)('tokenizers') as typeof import('tokenizers');

/** Well-formed strings that must survive encode -> decode exactly. */
function battery(): string[] {
  const fixed = [
    '', 'a', ' ', '  ', '\n', '\t', '\r\n', 'Hello, World!', 'A red circle above a blue square.',
    '😀', '👩‍👩‍👧‍👦', '👍🏽 👍🏿', '🧑🏾‍🚀', '🏳️‍🌈', '❤️', '1️⃣', '🇯🇵🇺🇸🇫🇷', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '日本語のテキストです', '中文字符', '한국어 문장',
    'مرحبا بالعالم', 'שלום', '\u200fRTL\u200e', 'café naïve Ångström façade', 'e\u0301 o\u0308 a\u0300\u0301\u0302', 'Z\u0351\u0352\u0353a\u036fl\u0350go',
    '  leading', 'trailing  ', 'multiple    spaces', ' \t \n\n  \r\n mixed\t\t', '\u00a0\u2003\u3000\u2028\u2029', '\u0085next line',
    '\ufeffBOM first', 'mid\ufeffBOM', '\u0000NUL\u0000', '\u0007\u001b[31mansi\u001b[0m', ' .', 'a , b ! c ?', "don't it 's we 've",
    '½ ² ٣ Ⅻ 1234567890', 'ΑΒΓ αβγ Кириллица', '\u{10FFFF}\u{E000}\u{F8FF}', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝒎𝒂𝒕𝒉', '\uFFFD replacement',
  ];
  let s = 12345;
  const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % n; };
  const planes = [[0x20, 0x7f], [0x0, 0x800], [0x800, 0xd800], [0xe000, 0x10000], [0x10000, 0x110000]] as const;
  for (let i = 0; i < 200; i++) {
    let str = '';
    for (let k = rnd(20); k >= 0; k--) {
      const [lo, hi] = planes[rnd(planes.length)]!;
      str += String.fromCodePoint(lo + rnd(hi - lo));
    }
    fixed.push(str);
  }
  const every: string[] = [];
  for (let cp = 0; cp < 0x800; cp++) every.push(String.fromCodePoint(cp));
  fixed.push(every.join(''), every.join(' '));
  fixed.push(Array.from({ length: 3000 }, (_, i) => TRAIN[i % TRAIN.length] + (i % 7 === 0 ? ' 🎉\n' : ' ')).join(''));
  return fixed;
}

test('training gives exactly vocabSize ids: 256 bytes in byte order, then merges', () => {
  assert.equal(tok.vocabSize, 512);
  assert.equal(Object.keys(json.model.vocab).length, 512);
  assert.deepEqual(Object.values(json.model.vocab).sort((a, b) => a - b), Array.from({ length: 512 }, (_, i) => i));
  assert.equal(tok.idToToken(0x41), 'A');
  assert.equal(tok.idToToken(0x20), 'Ġ');
  assert.deepEqual(tok.encode('\u0000\u00ff'), [0x00, 0xc3, 0xbf]);
  assert.equal(json.added_tokens.length, 0);
  assert.equal(json.post_processor, null);
  const small = TextTokenizer.fromJson(trainTextBpe(TRAIN, { vocabSize: 300 }));
  assert.equal(small.vocabSize, 300);
  // Truncation keeps a prefix of the merges; one spelling an existing token ("a"+"bc") adds no id.
  const merges: Merge[] = [['a', 'b'], ['ab', 'c'], ['b', 'c'], ['a', 'bc'], ['c', 'c'], ['d', 'd']];
  assert.deepEqual(truncateMerges(merges, 259), { merges: merges.slice(0, 4), size: 259 });
  assert.deepEqual(truncateMerges(merges, 260), { merges: merges.slice(0, 5), size: 260 });
  const bytesOnly = TextTokenizer.fromJson(trainTextBpe([], { vocabSize: 256 }));
  assert.deepEqual(bytesOnly.encode('hé'), [0x68, 0xc3, 0xa9]);
});

test('decode(encode(s)) === s for a battery of well-formed strings', () => {
  for (const s of battery()) {
    const ids = tok.encode(s);
    for (const id of ids) assert.ok(Number.isInteger(id) && id >= 0 && id < 512);
    assert.equal(tok.decode(ids), s, `round trip of ${JSON.stringify(s.slice(0, 60))}`);
  }
  assert.deepEqual(tok.encode(''), []);
  assert.equal(tok.decode([]), '');
});

test('the same texts and options give a byte-identical tokenizer.json', () => {
  const again = trainTextBpe(TRAIN, { vocabSize: 512 });
  assert.equal(serializeTokenizerJson(again), serializeTokenizerJson(json));
  assert.equal(TextTokenizer.fromJson(again).toJsonString(), tok.toJsonString());
});

test('common caption words become single tokens; held-out captions compress below chars/3', () => {
  for (const w of [' background', ' circle', ' emoji', ' style', ' avatar', ' red', ' blue', 'The']) {
    assert.equal(tok.encode(w).length, 1, `${JSON.stringify(w)} -> ${tok.encode(w).map((i) => tok.idToToken(i)).join('|')}`);
  }
  let tokens = 0;
  let chars = 0;
  for (const c of HELD_OUT) {
    tokens += tok.encode(c).length;
    chars += c.length;
  }
  assert.ok(tokens / HELD_OUT.length < chars / HELD_OUT.length / 3, `${(chars / tokens).toFixed(2)} chars per token`);
});

test('pure-JS ids equal the Rust tokenizers ids, and Rust decodes them back', async () => {
  const native = rust.Tokenizer.fromString(JSON.stringify(json));
  assert.equal(native.getVocabSize(true), 512);
  const sample = [...TRAIN.slice(0, 300), ...HELD_OUT.slice(0, 100), ...battery()];
  for (const s of sample) {
    if (s.length === 0) continue;
    const js = tok.encode(s);
    const rs = (await native.encode(s, null, { addSpecialTokens: false })).getIds();
    assert.deepEqual(js, rs, `ids of ${JSON.stringify(s.slice(0, 60))}`);
    assert.equal(await native.decode(rs, false), s);
  }
});

test('pure-JS and Rust agree where JS \\s and Oniguruma \\s differ (U+0085, U+FEFF)', async () => {
  const pieces = ['red', 'cat', 'über', '日本', '😀', "'s", "'ll", ' ', '  ', '\n', '\t', '.', ',', '23', '½',
    '\u0085', '\u00a0', '\ufeff', '\u2028', '\u3000', '\u200b', 'e\u0301', '\r\n', '\u000b'];
  let s = 7;
  const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
  const texts = Array.from({ length: 2000 }, () => Array.from({ length: 1 + rnd(10) }, () => pieces[rnd(pieces.length)]! + (rnd(2) ? ' ' : '')).join(''));
  const j = trainTextBpe(texts, { vocabSize: 400 });
  const js = TextTokenizer.fromJson(j);
  const native = rust.Tokenizer.fromString(JSON.stringify(j));
  let differ = 0;
  for (const t of texts) {
    const ids = js.encode(t);
    if (ids.join() !== (await native.encode(t, null, { addSpecialTokens: false })).getIds().join()) differ++;
    assert.equal(js.decode(ids), t);
  }
  assert.equal(differ, 0, `${differ} of ${texts.length} texts get different ids`);
});

test('special tokens only when asked: counted in vocabSize, at the end, matched whole', () => {
  const withSpecials = TextTokenizer.fromJson(trainTextBpe(TRAIN.slice(0, 1000), { vocabSize: 400, specialTokens: ['<pad>', '<eos>'] }));
  assert.equal(withSpecials.vocabSize, 400);
  assert.deepEqual([withSpecials.idToToken(398), withSpecials.idToToken(399)], ['<pad>', '<eos>']);
  const ids = withSpecials.encode('a cat<eos>');
  assert.equal(ids.at(-1), 399);
  assert.equal(withSpecials.decode(ids), 'a cat<eos>');
  assert.throws(() => trainTextBpe(['x'], { vocabSize: 257, specialTokens: ['a'] }), /collides/);
});

test('encode never adds post-processor tokens, even if the json has a post-processor', () => {
  const j = tok.toJson() as TokenizerJson & { post_processor: object };
  j.added_tokens.push({ id: 512, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  j.post_processor = {
    type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [], special_tokens: { '<s>': { id: '<s>', ids: [512], tokens: ['<s>'] } },
  };
  const t = TextTokenizer.fromJson(j);
  assert.equal(t.vocabSize, 513);
  assert.deepEqual(t.encode('a red circle'), tok.encode('a red circle'));
});

test('save is atomic and byte-identical; load by path gives the same tokenizer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bpe-test-'));
  try {
    const p = join(dir, 'tokenizer.json');
    writeFileSync(p, 'old contents');
    tok.save(p);
    assert.deepEqual(readdirSync(dir), ['tokenizer.json']);
    assert.equal(readFileSync(p, 'utf8'), tok.toJsonString());
    const back = TextTokenizer.fromJson(p);
    for (const c of HELD_OUT.slice(0, 50)) assert.deepEqual(back.encode(c), tok.encode(c));
    assert.deepEqual(back.toJson(), tok.toJson());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bpe-test-'));
  try {
    const missing = join(dir, 'nope.json');
    assert.ok(!existsSync(missing));
    assert.throws(() => TextTokenizer.fromJson(missing), (e: Error) => e instanceof TokenizerFormatError && /not found/.test(e.message));
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, tok.toJsonString().slice(0, 500));
    assert.throws(() => TextTokenizer.fromJson(corrupt), /corrupt\.json is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mutate = (f: (j: any) => void) => { const j = tok.toJson(); f(j); return () => TextTokenizer.fromJson(j); };
  assert.throws(mutate((j) => { j.model.type = 'WordPiece'; }), /model\.type must be "BPE"/);
  assert.throws(mutate((j) => { delete j.model; }), /missing "model"/);
  assert.throws(mutate((j) => { delete j.model.vocab['Ā']; }), /id 0 is missing|byte 0x0/);
  assert.throws(mutate((j) => { j.model.vocab['zzz'] = 9999; }), /not contiguous/);
  assert.throws(mutate((j) => { j.model.merges.push(['q', 'qqqq']); }), /not in the vocabulary/);
  assert.throws(mutate((j) => { j.normalizer = { type: 'Lowercase' }; }), /normalizer must be null/);
  assert.throws(mutate((j) => { j.decoder = null; }), /decoder must be/);
  assert.throws(mutate((j) => { j.pre_tokenizer.pretokenizers[1].add_prefix_space = true; }), /add_prefix_space must be false/);
  assert.throws(() => TextTokenizer.fromJson(null as unknown as TokenizerJson), /not a JSON object/);
  for (const bad of [512, -1, 1.5, NaN, 1e9]) {
    assert.throws(() => tok.decode([65, bad]), (e: Error) => e instanceof RangeError && e.message.includes(`id ${bad} `));
  }
  assert.throws(() => trainTextBpe(TRAIN, { vocabSize: 255 }), RangeError);
  assert.throws(() => trainTextBpe(TRAIN, { vocabSize: 30001 }), RangeError);
  assert.throws(() => trainTextBpe(['a tiny corpus'], { vocabSize: 400 }), /only support \d+ text tokens/);
  assert.throws(() => trainTextBpe([42 as unknown as string], { vocabSize: 256 }), TypeError);
});
