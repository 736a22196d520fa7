/**
 * data/sources/avatar_text.ts — avatar captions (several seeded phrasings built from a Desc) and
 * edit instructions (the one thing that differs between two Descs, or null when the change is not
 * exactly one nameable thing).
 */
import type { Rng } from '../../tensor/random.js';
import { article, cleanCaptions, joinList, pick, sample } from '../captions.js';
import { fixArticle, type Desc } from './avatar_desc.js';

export interface CaptionStyle { label: string; nouns: string[]; subject: 'person' | 'face' }

const clothesPhrase = (d: Desc): string | null => (d.clothes ? fixArticle(`a ${d.clothes.colour} ${d.clothes.noun}`) : null);
const nonNull = (xs: (string | null | undefined)[]): string[] => xs.filter((x): x is string => !!x);

/** At least three distinct, non-empty captions. */
export function avatarCaptions(d: Desc, s: CaptionStyle, rng: Rng, id: string): string[] {
  const noun = fixArticle(pick(rng, s.nouns).replace('{c}', d.faceColour ?? 'yellow'));
  const wear = sample(rng, d.wear, d.wear.length), has = sample(rng, d.has, d.has.length);
  const clothes = clothesPhrase(d);
  const vps = nonNull([d.expr?.vp, d.eyes?.vp, d.action?.ing]);

  // A: "<noun> with <everything>"
  const parts = nonNull([d.hair, ...wear, ...has, d.eyes?.np, d.expr?.np, clothes]);
  const a = parts.length ? `${noun} with ${joinList(parts)}${d.action ? `, ${d.action.ing}` : ''}`
    : d.action ? `${noun} ${d.action.ing}` : noun;

  // B: "<noun> of a person with <hair, features> wearing <items>, <doing>"
  const worn = nonNull([...wear, clothes]);
  const own = nonNull([d.hair, ...has]);
  let b = s.subject === 'person' ? `${noun} of a person` : noun;
  if (own.length) b += ` with ${joinList(own)}`;
  if (worn.length) b += ` wearing ${joinList(worn)}`;
  if (vps.length) b += `, ${joinList(vps)}`;

  // C: tag list "<label> avatar: a, b, c"
  const tags = nonNull([d.faceColour && `${d.faceColour} face`, d.hair, ...wear, ...has, d.expr?.vp, d.eyes?.vp, d.action?.ing,
    clothes, d.skin && `${d.skin} skin`]);
  const c = `${s.label.toLowerCase()} avatar${tags.length ? `: ${tags.join(', ')}` : ''}`;

  // D: "<a|an> <Label> avatar with <two salient parts>"
  const salient = nonNull([d.hair, wear[0], d.expr?.np, has[0], d.eyes?.np, clothes]).slice(0, 2);
  const dd = `${article(s.label)} ${s.label} avatar${salient.length ? ` with ${joinList(salient)}` : ''}`;

  const out = cleanCaptions([a, b, c, dd], id);
  if (out.length < 3) out.push(`${noun} in the ${s.label} style`);
  return cleanCaptions(out, id);
}

export interface EditText { kind: string; instruction: string }

const MOOD: Record<string, string[]> = {
  smile: ['make the avatar smile', 'make the avatar look happy'],
  sad: ['make the avatar look sad', 'make the avatar frown'],
  surprised: ['make the avatar look surprised'],
  neutral: ['give the avatar a neutral expression'],
  angry: ['make the avatar look angry'],
};
const FACIAL_HAIR = /beard|mustache|stubble|goatee|soul patch/;
const bare = (np: string): string => np.replace(/^(a|an) /, '');

/** What changed from `a` to `b`, as an edit kind and instruction; null if not exactly one thing. */
export function describeEdit(a: Desc, b: Desc, rng: Rng): EditText | null {
  const key = (d: Desc) => ({
    hair: `${d.hair}|${d.hairClass}`, wear: [...d.wear].sort().join('|'), has: [...d.has].sort().join('|'),
    expr: d.expr?.np ?? '', eyes: d.eyes?.np ?? '', action: d.action?.ing ?? '', clothes: clothesPhrase(d) ?? '',
    skin: d.skin ?? '', face: d.faceColour ?? '',
  });
  const ka = key(a), kb = key(b);
  const changed = (Object.keys(ka) as (keyof typeof ka)[]).filter((k) => ka[k] !== kb[k]);
  if (changed.length !== 1) return null;
  const added = (xs: string[], ys: string[]) => ys.filter((y) => !xs.includes(y));
  switch (changed[0]) {
    case 'hair':
      if (a.hairClass !== b.hairClass || !a.hairColour || !b.hairColour || a.hairColour === b.hairColour) return null;
      return { kind: 'recolour-hair', instruction: pick(rng, [`give the avatar ${b.hairColour} hair`, `make the hair ${b.hairColour}`, `dye the hair ${b.hairColour}`]) };
    case 'wear': case 'has': {
      const xs = changed[0] === 'wear' ? [a.wear, b.wear] : [a.has, b.has];
      const plus = added(xs[0], xs[1]), minus = added(xs[1], xs[0]);
      const group = changed[0] === 'wear' ? 'accessory' : 'feature';
      if (plus.length === 1 && minus.length === 0) {
        const kind = FACIAL_HAIR.test(plus[0]) ? 'add-facial-hair' : `add-${group}`;
        return { kind, instruction: pick(rng, [`give the avatar ${plus[0]}`, `add ${plus[0]}`]) };
      }
      if (minus.length === 1 && plus.length === 0) {
        const kind = FACIAL_HAIR.test(minus[0]) ? 'remove-facial-hair' : `remove-${group}`;
        const verbs = changed[0] === 'wear' ? ['remove the', 'take off the'] : FACIAL_HAIR.test(minus[0]) ? ['remove the', 'shave off the'] : ['remove the'];
        return { kind, instruction: `${pick(rng, verbs)} ${bare(minus[0])}` };
      }
      return null;
    }
    case 'expr':
      if (!b.expr) return null;
      if (b.expr.mood !== (a.expr?.mood ?? '') && MOOD[b.expr.mood]) return { kind: 'change-expression', instruction: pick(rng, MOOD[b.expr.mood]) };
      return { kind: 'change-expression', instruction: `give the avatar ${b.expr.np}` };
    case 'eyes':
      return b.eyes ? { kind: 'change-eyes', instruction: `give the avatar ${b.eyes.np}` } : null;
    case 'action':
      if (!a.action && b.action) return { kind: 'add-gesture', instruction: `make the avatar ${b.action.base}` };
      if (a.action && !b.action) return { kind: 'remove-gesture', instruction: pick(rng, ['remove the gesture', 'put the hands down']) };
      return b.action ? { kind: 'change-gesture', instruction: `make the avatar ${b.action.base} instead` } : null;
    case 'clothes':
      if (!a.clothes || !b.clothes || a.clothes.noun !== b.clothes.noun) return null;
      return { kind: 'recolour-clothing', instruction: pick(rng, [`make the ${b.clothes.noun} ${b.clothes.colour}`, `change the ${b.clothes.noun} to ${b.clothes.colour}`]) };
    default:
      return null;
  }
}
