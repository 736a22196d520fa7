/**
 * data/sources/emoji.ts — emoji images in four licence-clean styles (Noto/google PNG, Twemoji PNG,
 * OpenMoji colour SVG, OpenMoji line-art SVG), joined by normalised Unicode code point. Names are
 * the CLDR annotations from OpenMoji (the Unicode character name is kept as `unicodeName`); the
 * apple and facebook images are never touched. Skin tones (single and multi-person) are items.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from '../packages.js';
import { article, cleanCaptions, itemRng, pick, sample } from '../captions.js';
import { decodeToRgb, encodePng, svgToRgb, type Rgb } from '../image.js';
import { isSkipped, type AttrValue, type Licence, type Skipped, type Source, type SourceItem, type SourceOptions } from '../record.js';

export type EmojiStyle = 'google' | 'twitter' | 'openmoji' | 'openmoji-black';
export const EMOJI_STYLES: readonly EmojiStyle[] = ['google', 'twitter', 'openmoji', 'openmoji-black'];

const OPENMOJI: Licence = { spdx: 'CC-BY-SA-4.0', attribution: 'OpenMoji – the open-source emoji and icon project, HfG Schwäbisch Gmünd', url: 'https://openmoji.org' };
export const EMOJI_LICENCES: Record<EmojiStyle, Licence> = {
  google: { spdx: 'Apache-2.0', attribution: 'Noto Emoji by Google', url: 'https://github.com/googlefonts/noto-emoji' },
  twitter: { spdx: 'CC-BY-4.0', attribution: 'Twemoji by Twitter, Inc and other contributors', url: 'https://github.com/twitter/twemoji' },
  openmoji: OPENMOJI,
  'openmoji-black': OPENMOJI,
};

/** One emoji (one code point sequence) with everything every style needs. */
export interface EmojiEntry {
  /** Normalised code point: lower-case hex joined by '-', without fe0f. */
  codepoint: string;
  /** Display name of the base emoji (no skin tone), e.g. 'dog face', 'flag: Germany'. */
  name: string;
  /** Lower-case base name: shared by all styles and tones of one emoji. */
  concept: string;
  /** 'medium-dark', or 'light+dark' for multi-person combinations. */
  skinTone?: string;
  unicodeName?: string;
  shortNames: string[];
  category: string;
  subcategory: string;
  keywords: string[];
  /** Absolute image path per available style (PNG for google/twitter, SVG for openmoji*). */
  files: Partial<Record<EmojiStyle, string>>;
}

const TONES = ['light', 'medium-light', 'medium', 'medium-dark', 'dark'];
const TONE_HEX: Record<string, string> = { '1f3fb': 'light', '1f3fc': 'medium-light', '1f3fd': 'medium', '1f3fe': 'medium-dark', '1f3ff': 'dark' };
const GROUPS: Record<string, string> = {
  'smileys-emotion': 'Smileys & Emotion', 'people-body': 'People & Body', component: 'Component', 'animals-nature': 'Animals & Nature',
  'food-drink': 'Food & Drink', 'travel-places': 'Travel & Places', activities: 'Activities', objects: 'Objects', symbols: 'Symbols',
  flags: 'Flags', 'extras-openmoji': 'Extras (OpenMoji)', 'extras-unicode': 'Extras (Unicode)',
};

/** '1F436-FE0F' -> '1f436'. */
export function normCodepoint(hex: string): string {
  return hex.toLowerCase().split('-').filter((p) => p !== 'fe0f' && p !== '').join('-');
}
function charToCodepoint(ch: string): string {
  return normCodepoint([...ch].map((c) => c.codePointAt(0)!.toString(16)).join('-'));
}
function compareCodepoints(a: string, b: string): number {
  const x = a.split('-'), y = b.split('-');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = parseInt(x[i], 16) - parseInt(y[i], 16);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

interface DsEmoji {
  name: string; unified: string; image: string; short_names?: string[]; category: string; subcategory: string;
  has_img_google?: boolean; has_img_twitter?: boolean;
  skin_variations?: Record<string, { unified: string; image: string; has_img_google?: boolean; has_img_twitter?: boolean }>;
}
interface OmEmoji {
  hexcode: string; group: string; subgroups: string; annotation: string; tags: string; openmoji_tags: string;
  skintone: string | number; skintone_base_hexcode: string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function cleanKeywords(raw: readonly string[], name: string): string[] {
  const out = new Set<string>();
  for (const r of raw) {
    const k = r.replace(/_/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
    if (k && k !== name.toLowerCase() && /^[\p{L}\p{N}][\p{L}\p{N} '&.-]*$/u.test(k)) out.add(k);
  }
  return [...out];
}
const splitTags = (s: string): string[] => (s ? s.split(',') : []);

let cached: EmojiEntry[] | null = null;

/** Join emoji-datasource, OpenMoji and emojilib metadata; sorted by code point. Cached. */
export function loadEmojiEntries(): EmojiEntry[] {
  if (cached) return cached;
  const gDir = packageDir('emoji-datasource-google'), tDir = packageDir('emoji-datasource-twitter');
  const omDir = packageDir('openmoji'), libDir = packageDir('emojilib');
  const ds = readJson<DsEmoji[]>(join(gDir, 'emoji.json'));
  const om = readJson<OmEmoji[]>(join(omDir, 'data', 'openmoji.json'));
  const lib = readJson<Record<string, string[]>>(join(libDir, 'dist', 'emoji-en-US.json'));
  const libKw = new Map(Object.entries(lib).map(([ch, kws]) => [charToCodepoint(ch), kws.slice(1)]));
  const omBy = new Map(om.map((o) => [normCodepoint(o.hexcode), o]));

  // Datasource code points (base and skin variations) -> base emoji, image file, tone.
  interface DsRef { base: DsEmoji; image: string; google: boolean; twitter: boolean; tone?: string }
  const dsBy = new Map<string, DsRef>();
  for (const d of ds) {
    dsBy.set(normCodepoint(d.unified), { base: d, image: d.image, google: d.has_img_google !== false, twitter: d.has_img_twitter !== false });
    for (const [key, v] of Object.entries(d.skin_variations ?? {})) {
      const tone = normCodepoint(key).split('-').map((h) => TONE_HEX[h] ?? h).join('+');
      dsBy.set(normCodepoint(v.unified), { base: d, image: v.image, google: v.has_img_google !== false, twitter: v.has_img_twitter !== false, tone });
    }
  }

  const baseName = (cp: string): string => {
    const o = omBy.get(cp);
    if (o) return o.group === 'extras-openmoji' ? o.annotation.replace(/-/g, ' ') : o.annotation;
    return (dsBy.get(cp)?.base.name ?? cp).toLowerCase();
  };
  const entries: EmojiEntry[] = [];
  for (const cp of new Set([...omBy.keys(), ...dsBy.keys()])) {
    const o = omBy.get(cp), d = dsBy.get(cp);
    let baseCp = cp, tone: string | undefined;
    if (o?.skintone) {
      baseCp = normCodepoint(o.skintone_base_hexcode);
      tone = String(o.skintone).split(',').map((t) => TONES[Number(t) - 1] ?? t).join('+');
    } else if (d?.tone) {
      baseCp = normCodepoint(d.base.unified);
      tone = d.tone;
    }
    const name = baseName(baseCp);
    const ob = omBy.get(baseCp) ?? o, db = dsBy.get(baseCp)?.base ?? d?.base;
    const files: Partial<Record<EmojiStyle, string>> = {};
    if (d?.google) files.google = join(gDir, 'img', 'google', '64', d.image);
    if (d?.twitter) files.twitter = join(tDir, 'img', 'twitter', '64', d.image);
    if (o) {
      files.openmoji = join(omDir, 'color', 'svg', `${o.hexcode}.svg`);
      files['openmoji-black'] = join(omDir, 'black', 'svg', `${o.hexcode}.svg`);
    }
    entries.push({
      codepoint: cp, name, concept: name.toLowerCase(), skinTone: tone,
      unicodeName: db?.name.toLowerCase(), shortNames: db?.short_names ?? [],
      category: db?.category ?? GROUPS[ob?.group ?? ''] ?? ob?.group ?? 'Other',
      subcategory: db?.subcategory ?? ob?.subgroups ?? 'other',
      keywords: cleanKeywords([...(libKw.get(baseCp) ?? []), ...splitTags(ob?.tags ?? ''), ...splitTags(ob?.openmoji_tags ?? '')], name),
      files,
    });
  }
  entries.sort((a, b) => compareCodepoints(a.codepoint, b.codepoint));
  cached = entries;
  return entries;
}

const STYLE_PHRASES: Record<EmojiStyle, ((np: string) => string)[]> = {
  google: [(np) => `a Google-style emoji of ${np}`, (np) => `${np} in the Noto emoji style`, (np) => `a Noto emoji of ${np}`],
  twitter: [(np) => `a Twitter-style emoji of ${np}`, (np) => `${np}, drawn as a Twemoji`, (np) => `a flat Twemoji of ${np}`],
  openmoji: [(np) => `an OpenMoji emoji of ${np}`, (np) => `a colourful OpenMoji icon of ${np}`, (np) => `${np} in the OpenMoji style`],
  'openmoji-black': [(np) => `a line drawing of ${np}`, (np) => `a black-and-white outline emoji of ${np}`, (np) => `an OpenMoji line-art icon of ${np}`],
};

/** 'people holding hands', 'ballet shoes', 'Aries' take no article ('smiling face with hearts' does). */
function isPlural(name: string): boolean {
  const words = name.split(/ (?:with|of|in|on|over|from|for|and|showing|\w+ing)\b/)[0].split(' ');
  return /^(people|men|women)$/i.test(words[0]) || /[a-z][a-rt-z]s$/i.test(words[words.length - 1]) && !/[uio]s$|wards$/i.test(words[words.length - 1]);
}

/** Seeded captions (>= 3, de-duplicated) for one entry in one style. */
export function emojiCaptions(entry: EmojiEntry, style: EmojiStyle, seed: number, id: string): string[] {
  const rng = itemRng(seed, id);
  const tones = entry.skinTone?.split('+') ?? [];
  const toneSuffix = tones.map((t) => `${t} skin tone`).join(', ');
  const full = toneSuffix ? `${entry.name}: ${toneSuffix}` : entry.name;
  const flag = /^flag: (.+)$/.exec(entry.name);
  const np = (flag ? `the flag of ${flag[1]}` : isPlural(entry.name) ? entry.name : `${article(entry.name)} ${entry.name}`)
    + (tones.length === 0 ? '' : tones.length === 1 || new Set(tones).size === 1 ? ` with ${tones[0]} skin tone` : ` with ${tones.join(' and ')} skin tones`);
  const sub = entry.subcategory.replace(/-/g, ' ');
  const caps = [full, pick(rng, STYLE_PHRASES[style])(np),
    pick(rng, [`${full}, ${sub}`, `${np} (${entry.category.toLowerCase()})`, `${full}, an emoji from ${entry.category.toLowerCase()}`])];
  if (entry.keywords.length > 0) {
    const kws = sample(rng, entry.keywords, 2 + rng.int(3));
    caps.push(pick(rng, [`${full}${full.includes(':') ? ';' : ':'} ${kws.join(', ')}`, `an emoji of ${np}; ${kws.join(', ')}`]));
  }
  if (entry.unicodeName && entry.unicodeName !== entry.name.toLowerCase()) caps.push(toneSuffix ? `${entry.unicodeName}: ${toneSuffix}` : entry.unicodeName);
  const short = entry.shortNames[0]?.replace(/[_-]/g, ' ');
  if (short && short.length > 2 && short !== entry.name.toLowerCase() && short !== entry.unicodeName) caps.push(`the "${short}" emoji${toneSuffix ? `, ${toneSuffix}` : ''}`);
  return cleanCaptions(caps, id);
}

/** Render one entry in one style to a SourceItem, or a Skipped when its file is missing or broken. */
export async function renderEmoji(entry: EmojiEntry, style: EmojiStyle, opts: Pick<SourceOptions, 'size' | 'seed'>): Promise<SourceItem | Skipped> {
  const id = `emoji/${style}/${entry.codepoint}`;
  const file = entry.files[style];
  if (!file) return { skipped: true, id, reason: `no ${style} image for ${entry.codepoint}` };
  let rgb: Rgb;
  try {
    const bytes = await readFile(file);
    rgb = style.startsWith('openmoji') ? svgToRgb(bytes.toString('utf8'), opts.size) : await decodeToRgb(new Uint8Array(bytes), opts.size);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { skipped: true, id, reason: err.code === 'ENOENT' ? `missing file ${file}` : `cannot decode ${file}: ${err.message}` };
  }
  const attributes: Record<string, AttrValue> = {
    name: entry.name, shortNames: entry.shortNames, category: entry.category, subcategory: entry.subcategory,
    keywords: entry.keywords, codepoint: entry.codepoint,
  };
  if (entry.unicodeName) attributes.unicodeName = entry.unicodeName;
  if (entry.skinTone) attributes.skinTone = entry.skinTone;
  return {
    id, source: 'emoji', style, concept: entry.concept, captions: emojiCaptions(entry, style, opts.seed, id),
    image: await encodePng(rgb), size: opts.size, attributes, boxes: [], mask: null, edit: null, licence: EMOJI_LICENCES[style],
  };
}

/** Items for `entries` (default: all), styles interleaved per code point, rendered 16 at a time. */
export async function* emojiItems(opts: SourceOptions, entries: readonly EmojiEntry[] = loadEmojiEntries()): AsyncGenerator<SourceItem | Skipped> {
  const limit = opts.limit ?? Infinity;
  const tasks: [EmojiEntry, EmojiStyle][] = [];
  for (const e of entries) for (const s of EMOJI_STYLES) if (e.files[s]) tasks.push([e, s]);
  let made = 0;
  for (let i = 0; i < tasks.length && made < limit; ) {
    const batch = tasks.slice(i, i + Math.min(16, Math.max(1, limit - made)));
    i += batch.length;
    for (const r of await Promise.all(batch.map(([e, s]) => renderEmoji(e, s, opts)))) {
      if (made >= limit) return;
      if (!isSkipped(r)) made++;
      yield r;
    }
  }
}

export const emojiSource: Source = { name: 'emoji', items: (opts) => emojiItems(opts) };
