/**
 * data/sources/avatar_words.ts — DiceBear option values -> plain English, per style. Written by
 * looking at rendered sheets of every variant (DiceBear 9.4.3). Hair entries are templates:
 * '*' is where the colour word goes ('long * hair' -> 'long red hair'), a leading '+' marks
 * something worn (a cap) rather than hair; the second field is a coarse hair class (concepts).
 * Expression entries are [noun phrase, participle phrase, mood]; null = no good word (omitted).
 */
export type HairEntry = readonly [tpl: string, cls: string];
export type ExprEntry = readonly [np: string | null, vp: string | null, mood: string];

const v = (n: number) => `variant${String(n).padStart(2, '0')}`;
/** Build a table from a list indexed by variant number (index 0 = variant01). */
function byVariant<T>(xs: readonly T[]): Record<string, T> {
  return Object.fromEntries(xs.map((x, i) => [v(i + 1), x]));
}

const SMILE: ExprEntry = ['a smile', 'smiling', 'smile'];
const OPEN_SMILE: ExprEntry = ['an open-mouthed smile', 'smiling with an open mouth', 'smile'];
const GRIN: ExprEntry = ['a toothy grin', 'grinning', 'smile'];
const TONGUE: ExprEntry = ['a tongue sticking out', 'sticking a tongue out', 'other'];
const SMALL_OPEN: ExprEntry = ['a small open mouth', 'looking surprised', 'surprised'];
const RED_LIPS: ExprEntry = ['red lips', 'wearing red lipstick', 'neutral'];

/** adventurer mouth variant01..variant30. */
export const ADVENTURER_MOUTH = byVariant<ExprEntry>([
  OPEN_SMILE, ['a slight smile', 'smiling slightly', 'smile'], SMALL_OPEN, ['a slight frown', 'frowning slightly', 'sad'],
  ['a big smile', 'smiling broadly', 'smile'], RED_LIPS, SMALL_OPEN, RED_LIPS,
  ['a straight mouth', 'with a neutral expression', 'neutral'], ['pursed lips', 'pursing the lips', 'neutral'],
  [null, null, 'other'], TONGUE, ['a drooling mouth', 'drooling', 'other'], ['a grimace', 'grimacing', 'sad'],
  ['a wide-open mouth', 'shouting', 'surprised'], TONGUE, ['puckered lips', 'puckering up', 'other'],
  ['a small round mouth', 'looking surprised', 'surprised'], [null, null, 'other'],
  ['a small smirk', 'smirking', 'neutral'], ['a small mouth', 'with a small mouth', 'neutral'],
  ['a grimace', 'grimacing', 'other'], GRIN, ['an open mouth', 'with an open mouth', 'other'], GRIN, GRIN,
  OPEN_SMILE, ['a big open smile', 'grinning', 'smile'], SMILE, OPEN_SMILE,
]);
/** adventurer glasses: variant01 is sunglasses, the rest clear glasses. */
export const ADVENTURER_GLASSES: Record<string, string> = { variant01: 'sunglasses' };
export const ADVENTURER_FEATURES: Record<string, string> = {
  mustache: 'a mustache', blush: 'rosy cheeks', birthmark: 'a birthmark', freckles: 'freckles',
};

export const PERSONAS_HAIR: Record<string, HairEntry> = {
  long: ['long * hair', 'long'], sideShave: ['side-shaved * hair', 'medium'],
  shortCombover: ['short combed-over * hair', 'short'], curlyHighTop: ['a curly * high-top', 'curly'],
  bobCut: ['a * bob', 'medium'], curly: ['curly * hair', 'curly'], pigtails: ['* pigtails', 'updo'],
  curlyBun: ['a curly * bun', 'updo'], buzzcut: ['a * buzz cut', 'short'], bobBangs: ['a * bob with bangs', 'medium'],
  bald: ['a bald head', 'bald'], balding: ['thinning * hair', 'bald'], cap: ['+a cap', 'headwear'],
  bunUndercut: ['a * bun and an undercut', 'updo'], fade: ['a * fade haircut', 'short'], beanie: ['+a beanie', 'headwear'],
  straightBun: ['a * bun', 'updo'], extraLong: ['very long * hair', 'long'],
  shortComboverChops: ['short combed-over * hair and sideburns', 'short'], mohawk: ['a * mohawk', 'mohawk'],
};
export const PERSONAS_MOUTH: Record<string, ExprEntry> = {
  smile: SMILE, frown: ['a frown', 'frowning', 'sad'], surprise: ['a surprised open mouth', 'looking surprised', 'surprised'],
  pacifier: ['a pacifier', 'sucking a pacifier', 'other'], bigSmile: ['a big smile', 'smiling broadly', 'smile'],
  smirk: ['a smirk', 'smirking', 'neutral'], lips: ['pursed lips', 'pursing the lips', 'neutral'],
};
/** personas eyes: expression entries; glasses/sunglasses are worn items instead. */
export const PERSONAS_EYES: Record<string, ExprEntry | string> = {
  open: [null, null, 'neutral'], sleep: ['closed eyes', 'with closed eyes', 'other'], wink: ['a wink', 'winking', 'other'],
  glasses: 'glasses', happy: ['happy squinting eyes', 'squinting happily', 'smile'], sunglasses: 'sunglasses',
};
export const PERSONAS_FACIAL_HAIR: Record<string, string> = {
  beardMustache: 'a beard and mustache', pyramid: 'a mustache', walrus: 'a walrus mustache', goatee: 'a goatee',
  shadow: 'stubble', soulPatch: 'a soul patch',
};

export const MICAH_HAIR: Record<string, HairEntry> = {
  fonze: ['a * quiff', 'short'], mrT: ['a * mohawk', 'mohawk'], dougFunny: ['a few wisps of * hair', 'bald'],
  mrClean: ['a bald head', 'bald'], dannyPhantom: ['short * hair and a fringe', 'short'], full: ['long wavy * hair', 'long'],
  turban: ['a * turban', 'headwear'], pixie: ['a * pixie cut', 'short'],
};
export const MICAH_MOUTH: Record<string, ExprEntry> = {
  surprised: ['a surprised open mouth', 'looking surprised', 'surprised'], laughing: ['a laughing mouth', 'laughing', 'smile'],
  nervous: ['a nervous grimace', 'looking nervous', 'other'], smile: SMILE, sad: ['a sad mouth', 'looking sad', 'sad'],
  pucker: ['puckered lips', 'puckering up', 'other'], frown: ['a frown', 'frowning', 'sad'], smirk: ['a smirk', 'smirking', 'neutral'],
};
export const MICAH_SHIRT: Record<string, string> = { open: 'open-collared shirt', crew: 't-shirt', collared: 'collared shirt' };

/** lorelei hair variant01..variant48. */
export const LORELEI_HAIR = byVariant<HairEntry>([
  ['short slicked-back * hair', 'short'], ['short * hair', 'short'], ['a * pompadour', 'short'], ['spiky * hair', 'short'],
  ['short curly * hair', 'curly'], ['short * hair', 'short'], ['short * hair', 'short'], ['a * quiff', 'short'],
  ['short * hair', 'short'], ['shoulder-length * hair', 'medium'], ['short * hair', 'short'], ['short * hair', 'short'],
  ['shoulder-length * hair', 'medium'], ['a * bun with bangs', 'updo'], ['straight shoulder-length * hair', 'medium'],
  ['long * hair', 'long'], ['medium-length * hair', 'medium'], ['curly * hair', 'curly'], ['a * bob with bangs', 'medium'],
  ['messy * hair', 'medium'], ['long * hair', 'long'], ['short * hair', 'short'], ['a * bob with bangs', 'medium'],
  ['big curly * hair', 'curly'], ['a mostly bald head', 'bald'], ['two * buns', 'updo'], ['a * mohawk', 'mohawk'],
  ['a * buzz cut', 'short'], ['* pigtails', 'updo'], ['short * pigtails', 'updo'], ['a * ponytail', 'updo'],
  ['curly shoulder-length * hair', 'curly'], ['long slicked-back * hair', 'long'], ['a bald head with a tiny tuft', 'bald'],
  ['long wavy * hair', 'long'], ['a * top knot', 'updo'], ['medium-length * hair', 'medium'], ['a * top knot', 'updo'],
  ['short curly * hair', 'curly'], ['a * bob', 'medium'], ['long * hair', 'long'], ['shoulder-length * hair', 'medium'],
  ['short * hair', 'short'], ['short textured * hair', 'short'], ['a * top bun', 'updo'], ['a messy * bun', 'updo'],
  ['very short * hair', 'short'], ['* hair in a low ponytail', 'updo'],
]);
/** lorelei glasses: variant02 is sunglasses. */
export const LORELEI_GLASSES: Record<string, string> = { variant02: 'sunglasses' };

/** notionists hair variant01..variant63, plus 'hat'. */
export const NOTIONISTS_HAIR: Record<string, HairEntry> = {
  ...byVariant<HairEntry>([
    ['a * pompadour', 'short'], ['a * bob', 'medium'], ['a * quiff', 'short'], ['shoulder-length * hair', 'medium'],
    ['short * hair', 'short'], ['short * hair', 'short'], ['short * hair', 'short'], ['long * hair and a headband', 'long'],
    ['curly * hair', 'curly'], ['a * bob', 'medium'], ['curly * hair', 'curly'], ['messy * hair', 'short'],
    ['short * hair', 'short'], ['+a small paper cap', 'headwear'], ['short * hair', 'short'], ['short * hair', 'short'],
    ['a * pompadour', 'short'], ['short * hair', 'short'], ['short * hair', 'short'], ['big curly * hair', 'curly'],
    ['short * hair', 'short'], ['curly * hair', 'curly'], ['shoulder-length * hair', 'medium'], ['short * hair', 'short'],
    ['short * hair', 'short'], ['a * quiff', 'short'], ['a * quiff', 'short'], ['long wavy * hair', 'long'],
    ['a * top bun', 'updo'], ['a * bun', 'updo'], ['short messy * hair', 'short'], ['an * undercut', 'short'],
    ['short curly * hair', 'curly'], ['short * hair', 'short'], ['short * hair', 'short'], ['a wavy * bob', 'medium'],
    ['wavy shoulder-length * hair', 'medium'], ['short * hair', 'short'], ['a * ponytail', 'updo'],
    ['short curly * hair', 'curly'], ['long straight * hair', 'long'], ['short curly * hair', 'curly'], ['a * bowl cut', 'short'],
    ['an * undercut', 'short'], ['a * ponytail', 'updo'], ['long * hair and a bow', 'long'], ['a * ponytail', 'updo'],
    ['a high * bun', 'updo'], ['a * flat-top', 'short'], ['spiky * hair', 'short'], ['spiky punk * hair', 'mohawk'],
    ['spiky * hair', 'short'], ['spiky * hair', 'short'], ['short * hair', 'short'], ['short * hair', 'short'],
    ['short * hair', 'short'], ['a * top bun', 'updo'], ['shoulder-length * hair', 'medium'], ['two * buns', 'updo'],
    ['a * buzz cut', 'short'], ['+a headscarf', 'headwear'], ['+a headscarf', 'headwear'], ['+a headscarf', 'headwear'],
  ]),
  hat: ['+a cap', 'headwear'],
};
/** notionists glasses with dark lenses. */
export const NOTIONISTS_SUNGLASSES = new Set([1, 2, 4, 5, 6, 7, 9, 10].map(v));
export const NOTIONISTS_GESTURE: Record<string, readonly [ing: string, base: string]> = {
  wavePointLongArms: ['waving and pointing', 'wave and point'], waveOkLongArms: ['waving and making an OK sign', 'wave and make an OK sign'],
  waveLongArms: ['waving both hands', 'wave both hands'], waveLongArm: ['waving', 'wave'], pointLongArm: ['pointing', 'point'],
  okLongArm: ['making an OK sign', 'make an OK sign'], point: ['pointing upwards', 'point upwards'],
  ok: ['making an OK sign', 'make an OK sign'], hand: ['holding up a hand', 'hold up a hand'], handPhone: ['holding a phone', 'hold a phone'],
};
