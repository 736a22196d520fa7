/**
 * data/sources/avatar.ts — DiceBear avatars (CC0 / CC-BY styles only) rendered from option values
 * chosen here with a seeded RNG, so every attribute is known exactly (and confirmed by reading
 * back `toJson().extra`); captions are built from those attributes. Every EDIT_EVERY-th avatar
 * also gets an edited twin that differs in exactly one option (`edit: { of, instruction, kind }`).
 */
import { createAvatar, type StyleOptions } from '@dicebear/core';
import { itemRng, pick, sample } from '../captions.js';
import { encodePng, svgToRgb } from '../image.js';
import type { AttrValue, Skipped, Source, SourceItem, SourceOptions } from '../record.js';
import type { Rng } from '../../tensor/random.js';
import { mainAccessory, type Desc, type Extra } from './avatar_desc.js';
import { AVATAR_STYLES, type StyleSpec } from './avatar_styles.js';
import { avatarCaptions, describeEdit, type EditText } from './avatar_text.js';

/** Avatars (not counting edit twins) when no limit is given. */
export const AVATAR_DEFAULT_COUNT = 6000;
/** Avatar n gets an edited twin when n % EDIT_EVERY === 0. */
export const EDIT_EVERY = 4;
/** Candidate single-option changes tried (each one render) before giving up on a twin. */
const MAX_EDIT_TRIES = 8;

/** DiceBear options as chosen here: one value per list option, 0/100 per probability. */
export type AvatarOptions = Record<string, string[] | number>;

export function styleSpec(key: string): StyleSpec {
  const s = AVATAR_STYLES.find((x) => x.key === key);
  if (!s) throw new Error(`unknown avatar style '${key}'`);
  return s;
}

interface SchemaProp { type?: string; default?: unknown; items?: { enum?: string[] } }
const props = (spec: StyleSpec): Record<string, SchemaProp> => (spec.style.schema?.properties ?? {}) as Record<string, SchemaProp>;

/** The values a list option may take (schema enum/default list or the style's palette, minus exclusions). */
export function optionValues(spec: StyleSpec, key: string, opts: Record<string, unknown>): string[] {
  const p = props(spec)[key];
  const all = spec.palettes?.[key] ?? p?.items?.enum ?? (Array.isArray(p?.default) ? (p.default as string[]) : []);
  const ex = spec.exclude?.(key, opts) ?? [];
  return all.filter((v) => !ex.includes(v));
}

/** Choose every option of the style's schema. */
export function sampleOptions(spec: StyleSpec, rng: Rng): AvatarOptions {
  const o: AvatarOptions = {};
  for (const [key, p] of Object.entries(props(spec))) {
    if (key.endsWith('Probability')) {
      const d = typeof p.default === 'number' ? p.default : 50;
      const chance = spec.presence?.[key] ?? (d >= 100 ? 0.95 : Math.min(0.5, Math.max(0.2, (2 * d) / 100)));
      o[key] = rng.uniform() < chance ? 100 : 0;
    } else if (p.type === 'array') {
      const vals = optionValues(spec, key, o);
      if (vals.length) o[key] = [pick(rng, vals)];
    }
  }
  return o;
}

export interface Rendered { png: Uint8Array; extra: Extra; svg: string }

/** Render one avatar to a size x size RGB PNG on white. */
export async function renderAvatar(spec: StyleSpec, opts: AvatarOptions, seed: string, size: number): Promise<Rendered> {
  const { svg, extra } = createAvatar(spec.style, { seed, ...opts } as StyleOptions<object>).toJson();
  return { png: await encodePng(svgToRgb(svg, size)), extra, svg };
}

/** Options whose read-back differs from what was asked (e.g. adventurer hides earrings under some long hair). */
export function readbackMismatches(opts: AvatarOptions, extra: Extra): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v === 'number') continue;
    if (k.endsWith('Color')) {
      const got = k === 'backgroundColor' ? extra.primaryBackgroundColor : extra[k];
      if (got !== undefined && got !== `#${v[0]}`) out.push(k);
    } else if (k in extra || opts[`${k}Probability`] === 100) {
      const want = opts[`${k}Probability`] === 0 ? undefined : v[0];
      if (extra[k] !== want) out.push(k);
    }
  }
  return out;
}

/** Component names actually drawn (from the read-back). */
function drawn(extra: Extra): string[] {
  return Object.keys(extra).filter((k) => !k.endsWith('Color') && !/^(primary|secondary)Background|^background/.test(k) && extra[k] !== undefined).sort();
}

/** `opt.*` attributes back to DiceBear options. */
export function optionsFromAttributes(attrs: Record<string, AttrValue>): AvatarOptions {
  const o: AvatarOptions = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('opt.')) o[k.slice(4)] = typeof v === 'number' ? v : [String(v)];
  }
  return o;
}

function attributes(spec: StyleSpec, seed: string, opts: AvatarOptions, extra: Extra, d: Desc): Record<string, AttrValue> {
  const a: Record<string, AttrValue> = { style: spec.key, seed };
  for (const [k, v] of Object.entries(opts)) a[`opt.${k}`] = typeof v === 'number' ? v : v[0];
  a.drawn = drawn(extra);
  a['readback.mismatch'] = readbackMismatches(opts, extra);
  const words: Record<string, AttrValue | null> = {
    hair: d.hair, hairClass: d.hairClass, hairColour: d.hairColour, wear: d.wear, has: d.has,
    expression: d.expr?.np ?? null, mood: d.expr?.mood ?? null, eyes: d.eyes?.np ?? null, action: d.action?.ing ?? null,
    clothes: d.clothes ? `${d.clothes.colour} ${d.clothes.noun}` : null, skin: d.skin, faceColour: d.faceColour, accessory: mainAccessory(d),
  };
  for (const [k, v] of Object.entries(words)) if (v !== null) a[`word.${k}`] = v;
  return a;
}

function item(spec: StyleSpec & { licence: SourceItem['licence'] }, id: string, concept: string, r: Rendered, d: Desc,
  opts: AvatarOptions, seed: string, size: number, runSeed: number, edit: SourceItem['edit']): SourceItem {
  return {
    id, source: 'avatar', style: spec.key, concept,
    captions: avatarCaptions(d, spec, itemRng(runSeed, `${id}#captions`), id),
    image: r.png, size, attributes: attributes(spec, seed, opts, r.extra, d), boxes: [], mask: null, edit, licence: spec.licence,
  };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Try single-option changes until one renders differently and is exactly one nameable change. */
async function findEdit(spec: StyleSpec, opts: AvatarOptions, seed: string, size: number, orig: Rendered, d: Desc, rng: Rng):
  Promise<{ opts: AvatarOptions; r: Rendered; d: Desc; text: EditText; key: string } | null> {
  const cands: [string, string[] | number][] = [];
  for (const key of sample(rng, spec.editKeys, spec.editKeys.length)) {
    const cur = opts[key];
    if (typeof cur === 'number') cands.push([key, cur === 100 ? 0 : 100]);
    else if (Array.isArray(cur)) for (const v of sample(rng, optionValues(spec, key, opts).filter((x) => x !== cur[0]), 3)) cands.push([key, [v]]);
  }
  for (const [key, value] of cands.slice(0, MAX_EDIT_TRIES)) {
    const o2 = { ...opts, [key]: value };
    try {
      const r = await renderAvatar(spec, o2, seed, size);
      const d2 = spec.describe(r.extra);
      const text = describeEdit(d, d2, rng);
      if (text && !same(r.png, orig.png)) return { opts: o2, r, d: d2, text, key };
    } catch { /* try the next candidate */ }
  }
  return null;
}

export const avatarSource: Source = {
  name: 'avatar',
  async *items(o: SourceOptions): AsyncIterable<SourceItem | Skipped> {
    const limit = o.limit ?? Infinity;
    const count = o.limit === undefined ? AVATAR_DEFAULT_COUNT : Infinity;
    let emitted = 0;
    for (let n = 0; n < count && emitted < limit; n++) {
      const spec = AVATAR_STYLES[n % AVATAR_STYLES.length];
      const id = `avatar/${spec.key}/${n}`;
      let opts: AvatarOptions, r: Rendered, d: Desc;
      try {
        opts = sampleOptions(spec, itemRng(o.seed, id));
        r = await renderAvatar(spec, opts, id, o.size);
        d = spec.describe(r.extra);
      } catch (e) {
        yield { skipped: true, id, reason: `render failed: ${(e as Error).message}` };
        emitted++;
        continue;
      }
      const concept = `${spec.key}:${d.hairClass}:${mainAccessory(d)}`;
      yield item(spec, id, concept, r, d, opts, id, o.size, o.seed, null);
      emitted++;
      if (n % EDIT_EVERY !== 0 || emitted >= limit) continue;
      const e = await findEdit(spec, opts, id, o.size, r, d, itemRng(o.seed, `${id}#edit`));
      if (!e) continue;
      const twinConcept = `${spec.key}:${e.d.hairClass}:${mainAccessory(e.d)}`;
      const twin = item(spec, `${id}~${e.text.kind}`, twinConcept, e.r, e.d, e.opts, id, o.size, o.seed,
        { of: id, instruction: e.text.instruction, kind: e.text.kind });
      twin.attributes['edit.option'] = e.key;
      yield twin;
      emitted++;
    }
  },
};
