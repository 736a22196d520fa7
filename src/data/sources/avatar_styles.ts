/**
 * data/sources/avatar_styles.ts — the DiceBear styles the avatar source uses (only CC0 / CC-BY
 * artwork, checked against each style's meta.license at load), how their options are sampled and
 * how a rendered avatar's read-back (`toJson().extra`) becomes words.
 */
import type { Style } from '@dicebear/core';
import { adventurer, bigSmile, funEmoji, lorelei, micah, notionists, openPeeps, personas, pixelArt } from '@dicebear/collection';
import type { Licence } from '../record.js';
import { colourName, skinTone } from './avatar_colours.js';
import { emptyDesc, exprOrWear, setHair, str, toExpr, type Desc, type Extra } from './avatar_desc.js';
import * as W from './avatar_words.js';
import * as W2 from './avatar_words2.js';

export interface StyleSpec {
  /** Id segment and `style` field, e.g. 'open-peeps'. */
  key: string;
  /** Name used in captions, e.g. 'Open Peeps'. */
  label: string;
  style: Style<object>;
  /** Caption nouns; '{c}' is the face colour (fun-emoji). */
  nouns: string[];
  subject: 'person' | 'face';
  /** Chance that a `*Probability` option is set to 100 (else 0); default from the schema default. */
  presence?: Record<string, number>;
  /** Replacement value lists for options (only where the schema offers a single value). */
  palettes?: Record<string, string[]>;
  /** Option values that must not be used given the other choices (micah: not the skin colour). */
  exclude?: (key: string, opts: Record<string, unknown>) => string[];
  /** Options an edit may change (exactly one per edit). */
  editKeys: string[];
  describe(x: Extra): Desc;
}

const first = (o: unknown): string | undefined => (Array.isArray(o) ? (o[0] as string) : undefined);
const skin = (x: Extra, key = 'skinColor'): string | null => { const s = str(x, key); return s ? skinTone(s) : null; };
const clothes = (hex: string | undefined, noun: string) => (hex ? { colour: colourName(hex), noun } : null);
const SAD: W.ExprEntry = ['a sad expression', 'looking sad', 'sad'];
const SMILE: W.ExprEntry = ['a smile', 'smiling', 'smile'];

const SPECS: StyleSpec[] = [
  {
    key: 'adventurer', label: 'Adventurer', style: adventurer, subject: 'person',
    nouns: ['a cartoon avatar', 'a cartoon portrait', 'an illustrated cartoon avatar'],
    presence: { glassesProbability: 0.3, earringsProbability: 0.3, featuresProbability: 0.25, hairProbability: 0.95 },
    editKeys: ['hairColor', 'glassesProbability', 'earringsProbability', 'featuresProbability', 'mouth'],
    describe(x) {
      const d = emptyDesc(), hair = str(x, 'hair');
      setHair(d, hair ? (hair.startsWith('long') ? ['long * hair', 'long'] : ['short * hair', 'short']) : undefined, str(x, 'hairColor'));
      const g = str(x, 'glasses');
      if (g) d.wear.push(W.ADVENTURER_GLASSES[g] ?? 'glasses');
      if (str(x, 'earrings')) d.wear.push('earrings');
      const f = str(x, 'features');
      if (f) d.has.push(W.ADVENTURER_FEATURES[f]);
      d.expr = toExpr(W.ADVENTURER_MOUTH[str(x, 'mouth') ?? '']);
      d.skin = skin(x);
      return d;
    },
  },
  {
    key: 'personas', label: 'Personas', style: personas, subject: 'person',
    nouns: ['a flat-design avatar', 'a flat vector avatar', 'a simple flat portrait'],
    presence: { facialHairProbability: 0.25 },
    editKeys: ['hairColor', 'mouth', 'facialHairProbability', 'clothingColor', 'eyes'],
    describe(x) {
      const d = emptyDesc();
      setHair(d, W.PERSONAS_HAIR[str(x, 'hair') ?? ''], str(x, 'hairColor'));
      exprOrWear(d, W.PERSONAS_EYES[str(x, 'eyes') ?? ''], 'eyes');
      d.expr = toExpr(W.PERSONAS_MOUTH[str(x, 'mouth') ?? '']);
      const fh = str(x, 'facialHair');
      if (fh) d.has.push(W.PERSONAS_FACIAL_HAIR[fh]);
      d.clothes = clothes(str(x, 'clothingColor'), str(x, 'body') === 'checkered' ? 'checkered shirt' : 'shirt');
      d.skin = skin(x);
      return d;
    },
  },
  {
    key: 'micah', label: 'Micah', style: micah, subject: 'person',
    nouns: ['an illustrated avatar', 'a minimalist illustrated portrait', 'a flat illustrated avatar'],
    presence: { glassesProbability: 0.3, earringsProbability: 0.3, facialHairProbability: 0.2, hairProbability: 0.95 },
    exclude: (key, o) => (['hairColor', 'shirtColor', 'glassesColor', 'earringColor'].includes(key) ? [first(o.baseColor) ?? ''] : []),
    editKeys: ['hairColor', 'glassesProbability', 'earringsProbability', 'facialHairProbability', 'mouth', 'shirtColor'],
    describe(x) {
      const d = emptyDesc(), hair = str(x, 'hair');
      setHair(d, hair ? W.MICAH_HAIR[hair] : undefined, str(x, 'hairColor'));
      const g = str(x, 'glasses'), e = str(x, 'earrings'), fh = str(x, 'facialHair'), eyes = str(x, 'eyes');
      if (g) d.wear.push(`${g} glasses`);
      if (e) d.wear.push(`${e} earrings`);
      if (fh) d.has.push(fh === 'beard' ? 'a beard' : 'stubble');
      d.expr = toExpr(W.MICAH_MOUTH[str(x, 'mouth') ?? '']);
      if (eyes?.startsWith('smiling')) d.eyes = { np: 'smiling eyes', vp: 'with smiling eyes', mood: 'smile' };
      d.clothes = clothes(str(x, 'shirtColor'), W.MICAH_SHIRT[str(x, 'shirt') ?? ''] ?? 'shirt');
      d.skin = skin(x, 'baseColor');
      return d;
    },
  },
  {
    key: 'lorelei', label: 'Lorelei', style: lorelei, subject: 'person',
    nouns: ['a hand-drawn portrait', 'an ink-style avatar', 'a hand-drawn avatar'],
    presence: { glassesProbability: 0.3, earringsProbability: 0.25, frecklesProbability: 0.2, beardProbability: 0.15, hairAccessoriesProbability: 0.2 },
    // The schema offers only black hair; any 6-digit hex is valid, so use a few natural colours.
    palettes: { hairColor: ['000000', '6a4e35', 'ab2a18', 'b9a05f', 'cb6820', 'afafaf'] },
    editKeys: ['hairColor', 'glassesProbability', 'earringsProbability', 'frecklesProbability', 'beardProbability', 'hairAccessoriesProbability', 'mouth'],
    describe(x) {
      const d = emptyDesc();
      setHair(d, W.LORELEI_HAIR[str(x, 'hair') ?? ''], str(x, 'hairColor'));
      const g = str(x, 'glasses');
      if (g) d.wear.push(W.LORELEI_GLASSES[g] ?? 'glasses');
      if (str(x, 'earrings')) d.wear.push('earrings');
      if (str(x, 'hairAccessories')) d.wear.push('flowers in the hair');
      if (str(x, 'freckles')) d.has.push('freckles');
      if (str(x, 'beard')) d.has.push('a beard');
      const m = str(x, 'mouth');
      d.expr = m ? toExpr(m.startsWith('happy') ? SMILE : SAD) : null;
      return d;
    },
  },
  {
    key: 'notionists', label: 'Notionists', style: notionists, subject: 'person',
    nouns: ['a black-and-white sketch avatar', 'a hand-drawn line-art avatar', 'a doodle-style portrait'],
    presence: { glassesProbability: 0.3, beardProbability: 0.2, gestureProbability: 0.3 },
    editKeys: ['glassesProbability', 'beardProbability', 'gestureProbability'],
    describe(x) {
      const d = emptyDesc();
      setHair(d, W.NOTIONISTS_HAIR[str(x, 'hair') ?? '']);
      const g = str(x, 'glasses'), gesture = str(x, 'gesture');
      if (g) d.wear.push(W.NOTIONISTS_SUNGLASSES.has(g) ? 'sunglasses' : 'glasses');
      if (str(x, 'beard')) d.has.push('a beard');
      if (gesture) { const [ing, base] = W.NOTIONISTS_GESTURE[gesture]; d.action = { ing, base }; }
      return d;
    },
  },
  {
    key: 'open-peeps', label: 'Open Peeps', style: openPeeps, subject: 'person',
    nouns: ['a hand-drawn character', 'a hand-drawn portrait', 'a doodle-style avatar'],
    presence: { accessoriesProbability: 0.35, facialHairProbability: 0.2, maskProbability: 0.08 },
    editKeys: ['face', 'accessoriesProbability', 'facialHairProbability', 'maskProbability', 'clothingColor'],
    describe(x) {
      const d = emptyDesc();
      setHair(d, W2.OPEN_PEEPS_HEAD[str(x, 'head') ?? '']);
      d.expr = toExpr(W2.OPEN_PEEPS_FACE[str(x, 'face') ?? '']);
      const a = str(x, 'accessories'), m = str(x, 'mask'), fh = str(x, 'facialHair');
      if (a) d.wear.push(W2.openPeepsAccessory(a));
      if (m) d.wear.push(W2.OPEN_PEEPS_MASK[m]);
      if (fh) d.has.push(W2.openPeepsFacialHair(fh));
      d.clothes = clothes(str(x, 'clothingColor'), 'top');
      d.skin = skin(x);
      return d;
    },
  },
  {
    key: 'pixel-art', label: 'Pixel Art', style: pixelArt, subject: 'person',
    nouns: ['a pixel-art avatar', 'a pixel-art portrait', 'a retro 8-bit avatar'],
    presence: { glassesProbability: 0.3, hatProbability: 0.15, accessoriesProbability: 0.25, beardProbability: 0.15 },
    editKeys: ['hairColor', 'glassesProbability', 'hatProbability', 'accessoriesProbability', 'beardProbability', 'mouth', 'clothingColor'],
    describe(x) {
      const d = emptyDesc(), hair = str(x, 'hair');
      setHair(d, hair ? (hair.startsWith('long') ? ['long * hair', 'long'] : ['short * hair', 'short']) : undefined, str(x, 'hairColor'));
      const g = str(x, 'glasses'), hat = str(x, 'hatColor'), acc = str(x, 'accessoriesColor'), m = str(x, 'mouth');
      if (str(x, 'hat') && hat) d.wear.push(`a ${colourName(hat)} hat`);
      if (g) d.wear.push(g.startsWith('dark') ? 'sunglasses' : 'glasses');
      if (str(x, 'accessories') && acc) d.wear.push(/yellow|beige/.test(colourName(acc)) ? 'gold earrings' : 'silver earrings');
      if (str(x, 'beard')) d.has.push('a beard');
      d.expr = m ? toExpr(m.startsWith('happy') ? SMILE : SAD) : null;
      d.clothes = clothes(str(x, 'clothingColor'), 'shirt');
      d.skin = skin(x);
      return d;
    },
  },
  {
    key: 'fun-emoji', label: 'Fun Emoji', style: funEmoji, subject: 'face',
    nouns: ['a {c} emoji face', 'a square {c} emoji', 'a {c} cartoon emoji avatar'],
    editKeys: ['eyes', 'mouth'],
    describe(x) {
      const d = emptyDesc(), bg = str(x, 'primaryBackgroundColor');
      d.faceColour = bg && bg !== 'transparent' ? colourName(bg) : null;
      exprOrWear(d, W2.FUN_EMOJI_EYES[str(x, 'eyes') ?? ''], 'eyes');
      exprOrWear(d, W2.FUN_EMOJI_MOUTH[str(x, 'mouth') ?? ''], 'expr');
      return d;
    },
  },
  {
    key: 'big-smile', label: 'Big Smile', style: bigSmile, subject: 'person',
    nouns: ['a cartoon avatar', 'a chibi-style cartoon avatar', 'a big-headed cartoon avatar'],
    presence: { accessoriesProbability: 0.4 },
    editKeys: ['hairColor', 'accessoriesProbability', 'mouth'],
    describe(x) {
      const d = emptyDesc(), a = str(x, 'accessories');
      setHair(d, W2.BIG_SMILE_HAIR[str(x, 'hair') ?? ''], str(x, 'hairColor'));
      if (a === 'mustache') d.has.push('a mustache');
      else if (a) d.wear.push(W2.BIG_SMILE_ACCESSORY[a]);
      d.eyes = toExpr(W2.BIG_SMILE_EYES[str(x, 'eyes') ?? '']);
      d.expr = toExpr(W2.BIG_SMILE_MOUTH[str(x, 'mouth') ?? '']);
      d.skin = skin(x);
      return d;
    },
  },
];

const SPDX: Record<string, string> = { 'CC0 1.0': 'CC0-1.0', 'CC BY 4.0': 'CC-BY-4.0' };

/** The licence record of a style; throws for anything that is not CC0 or CC-BY. */
export function styleLicence(spec: StyleSpec): Licence {
  const m = spec.style.meta;
  const spdx = SPDX[m?.license?.name ?? ''];
  if (!spdx || !m?.title || !m.creator) throw new Error(`avatar style ${spec.key}: licence '${m?.license?.name}' is not CC0/CC-BY`);
  return { spdx, attribution: `${m.title} by ${m.creator}, via DiceBear`, url: m.source ?? m.homepage ?? m.license?.url };
}

/** The styles in round-robin order, each with its (verified) licence. */
export const AVATAR_STYLES: readonly (StyleSpec & { licence: Licence })[] = SPECS.map((s) => ({ ...s, licence: styleLicence(s) }));
