/**
 * data/sources/flag.ts — country and region flags from flag-icons (MIT): each entry of the
 * package's country.json gives two items, the 4:3 flag (letterboxed, centred on white) and the
 * square 1:1 variant, with seeded captions naming the place, its continent and capital.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from '../packages.js';
import type { Licence, Skipped, Source, SourceItem, SourceOptions } from '../record.js';
import { cleanCaptions, itemRng, pick } from '../captions.js';
import { encodePng, svgToRgb } from '../image.js';

export type FlagStyle = 'flag-4x3' | 'flag-1x1';
export const FLAG_STYLES: readonly FlagStyle[] = ['flag-4x3', 'flag-1x1'];

const LICENCE: Licence = {
  spdx: 'MIT',
  attribution: 'flag-icons by Panayiotis Lipiridis',
  url: 'https://github.com/lipis/flag-icons',
};

/** Codes of flags that stand for organisations, not places. */
const ORGANISATIONS = new Set(['asean', 'arab', 'cefta', 'eac', 'eu', 'pc', 'un']);
/** Placeholder flags with no real referent. */
const PLACEHOLDERS = new Set(['xx']);
/** Friendlier caption names where country.json's name reads badly in a sentence. */
const DISPLAY_NAMES: Record<string, string> = {
  eu: 'European Union',
  vg: 'British Virgin Islands',
  vi: 'U.S. Virgin Islands',
};

export interface CountryMeta {
  code: string; name: string; capital?: string; continent?: string; iso?: boolean;
  flag_1x1?: string; flag_4x3?: string;
}

/** Whether a place name takes "the" in running text ("the Netherlands", "the United States"). */
export function takesThe(name: string): boolean {
  return /(Islands|Republic|Emirates|Kingdom|Territory|Territories|Community|Nations|States|Agreement|Union)$/.test(name)
    || /^(Republic|Democratic|Federated|Holy See|State of|Isle of|Association|League|United|Central African|Cocos|Netherlands|Philippines|Bahamas|Gambia|Maldives|Comoros|Seychelles|U\.S\.|British)\b/.test(name);
}

/** "France" -> "France"; "Netherlands" -> "the Netherlands". */
export function placeRef(name: string): string {
  return takesThe(name) ? `the ${name}` : name;
}

function possessive(ref: string): string {
  return /s$/.test(ref) ? `${ref}'` : `${ref}'s`;
}

export type FlagKind = 'country' | 'region' | 'organisation';

function flagCaptions(m: CountryMeta, display: string, kind: FlagKind, style: FlagStyle, rng: ReturnType<typeof itemRng>): string[] {
  const ref = placeRef(display);
  const first = pick(rng, [`the flag of ${ref}`, `a flag of ${ref}`, `flag of ${ref}`]);
  let described: string;
  if (kind === 'organisation') {
    described = pick(rng, [
      `the flag of ${ref}, an international organisation`,
      `a flag representing ${ref}, an international organisation`,
    ]);
  } else {
    const what = kind === 'country' ? 'a country' : 'a region';
    const where = m.continent ? (m.continent === 'Antarctica' ? ' in Antarctica' : ` in ${m.continent}`) : '';
    const cap = m.capital ? ` whose capital is ${m.capital}` : '';
    described = pick(rng, [
      `a flag of ${ref}, ${what}${where}${cap}`,
      `the flag of ${ref}${where ? `,${where}` : ''}${m.capital ? `, capital ${m.capital}` : ''}`,
    ]);
  }
  const owner = possessive(ref);
  const third = kind === 'country'
    ? pick(rng, [`${owner} national flag`, `the national flag of ${ref}`])
    : pick(rng, [`${owner} flag`, `the official flag of ${ref}`]);
  const shaped = style === 'flag-1x1'
    ? pick(rng, [`a square version of the flag of ${ref}`, `${owner} flag, cropped to a square`])
    : pick(rng, [`the flag of ${ref} in a 4:3 rectangle on white`, `a rectangular flag of ${ref}`]);
  return [first, described, third, shaped];
}

/** Captions and attributes of one country.json entry in one style (seeded by its id). */
export function describeFlag(m: CountryMeta, style: FlagStyle, seed: number): { captions: string[]; attributes: SourceItem['attributes'] } {
  const id = `flag/${style}/${m.code}`;
  const kind: FlagKind = ORGANISATIONS.has(m.code) ? 'organisation' : m.iso ? 'country' : 'region';
  const display = DISPLAY_NAMES[m.code] ?? m.name;
  const attributes: SourceItem['attributes'] = {
    code: m.code, name: m.name, displayName: display, kind, iso: m.iso === true,
    aspect: style === 'flag-4x3' ? '4:3' : '1:1',
  };
  if (m.capital) attributes.capital = m.capital;
  if (m.continent) attributes.continent = m.continent;
  return { captions: cleanCaptions(flagCaptions(m, display, kind, style, itemRng(seed, id)), id), attributes };
}

async function* flagItems(opts: SourceOptions): AsyncGenerator<SourceItem | Skipped> {
  const dir = packageDir('flag-icons');
  const raw = JSON.parse(await readFile(join(dir, 'country.json'), 'utf8')) as CountryMeta[];
  const metas = raw.filter((m) => m && typeof m.code === 'string' && typeof m.name === 'string')
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const limit = opts.limit ?? Infinity;
  let n = 0;
  for (const m of metas) {
    for (const style of FLAG_STYLES) {
      if (n >= limit) return;
      n++;
      const id = `flag/${style}/${m.code}`;
      if (PLACEHOLDERS.has(m.code)) {
        yield { skipped: true, id, reason: `placeholder flag "${m.name}"` };
        continue;
      }
      const rel = style === 'flag-4x3' ? (m.flag_4x3 ?? `flags/4x3/${m.code}.svg`) : (m.flag_1x1 ?? `flags/1x1/${m.code}.svg`);
      let svg: string;
      try {
        svg = await readFile(join(dir, rel), 'utf8');
      } catch (e) {
        yield { skipped: true, id, reason: `no svg: ${(e as Error).message}` };
        continue;
      }
      let image: Uint8Array;
      try {
        // svgToRgb fits the width and centres vertically: a 4:3 flag is letterboxed on white.
        image = await encodePng(svgToRgb(svg, opts.size));
      } catch (e) {
        yield { skipped: true, id, reason: `render failed: ${(e as Error).message}` };
        continue;
      }
      const { captions, attributes } = describeFlag(m, style, opts.seed);
      yield {
        id, source: 'flag', style, concept: m.name, captions,
        image, size: opts.size, attributes, boxes: [], mask: null, edit: null, licence: LICENCE,
      };
    }
  }
}

export const flagSource: Source = {
  name: 'flag',
  items: (opts) => flagItems(opts),
};
