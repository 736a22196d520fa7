/**
 * data/sources/avatar_desc.ts — the plain-English description of one rendered avatar (read back
 * from DiceBear's `toJson().extra`), and the small helpers the style specs build it with.
 */
import { article } from '../captions.js';
import { hairColourName } from './avatar_colours.js';
import type { ExprEntry, HairEntry } from './avatar_words.js';

export interface Expr { np: string; vp: string; mood: string }

export interface Desc {
  /** Hair phrase with its colour, e.g. 'long red hair', 'a bald head'; null when covered/absent. */
  hair: string | null;
  /** Coarse hair class for concepts: short, medium, long, curly, updo, braids, mohawk, bald, headwear, none. */
  hairClass: string;
  /** Colour word used in `hair`, when there is one. */
  hairColour: string | null;
  /** Worn items: 'glasses', 'hoop earrings', 'a cap'... */
  wear: string[];
  /** Body features: 'a beard', 'freckles'... */
  has: string[];
  /** Mouth / face expression. */
  expr: Expr | null;
  /** Eye expression (wink, closed eyes...). */
  eyes: Expr | null;
  /** Gesture, e.g. { ing: 'waving', base: 'wave' }. */
  action: { ing: string; base: string } | null;
  clothes: { colour: string; noun: string } | null;
  skin: string | null;
  /** fun-emoji face colour. */
  faceColour: string | null;
}

export type Extra = Record<string, unknown>;

export function emptyDesc(): Desc {
  return { hair: null, hairClass: 'none', hairColour: null, wear: [], has: [], expr: null, eyes: null, action: null, clothes: null, skin: null, faceColour: null };
}

/** extra[key] as a string (DiceBear leaves absent components undefined). */
export function str(x: Extra, key: string): string | undefined {
  const v = x[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Fix the leading article of a phrase: 'a orange bob' -> 'an orange bob'. */
export function fixArticle(phrase: string): string {
  const m = /^(a|an) (\S+)(.*)$/.exec(phrase);
  return m ? `${article(m[2])} ${m[2]}${m[3]}` : phrase;
}

/** Fill a hair entry into the description; entry undefined = no hair drawn (bald). */
export function setHair(d: Desc, entry: HairEntry | undefined, colourHex?: string): void {
  if (!entry) { d.hair = 'a bald head'; d.hairClass = 'bald'; return; }
  const [tpl, cls] = entry;
  d.hairClass = cls;
  if (tpl.startsWith('+')) { d.wear.push(tpl.slice(1)); d.hair = null; return; }
  if (tpl.includes('*') && colourHex && colourHex !== 'transparent') {
    const c = hairColourName(colourHex);
    d.hair = fixArticle(tpl.replace('*', c));
    d.hairColour = c;
  } else {
    d.hair = fixArticle(tpl.replace('* ', '').replace(' *', ''));
  }
}

export function toExpr(e: ExprEntry | undefined): Expr | null {
  return e && e[0] && e[1] ? { np: e[0], vp: e[1], mood: e[2] } : null;
}

/** An entry that is either an expression or the name of a worn item (glasses). */
export function exprOrWear(d: Desc, e: ExprEntry | string | undefined, slot: 'expr' | 'eyes'): void {
  if (typeof e === 'string') d.wear.push(e);
  else d[slot] = toExpr(e);
}

/** The main accessory for the concept key. */
export function mainAccessory(d: Desc): string {
  const w = d.wear.join('|');
  if (/sunglasses/.test(w)) return 'sunglasses';
  if (/glasses/.test(w)) return 'glasses';
  if (/mask/.test(w)) return 'mask';
  if (/hat|cap|beanie|turban|hijab|headscarf|tiara|ears/.test(w)) return 'headwear';
  if (/earrings/.test(w)) return 'earrings';
  if (d.wear.length) return d.wear[0].replace(/^(a|an) /, '').replace(/\s+/g, '-');
  return 'none';
}
