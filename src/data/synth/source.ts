/**
 * data/synth/source.ts — the 'scene' Source: an unlimited stream of seeded procedural scenes
 * (item n uses new Rng(itemSeed(seed, n))), each followed by 1–2 edited twins. Images, masks and
 * boxes are exact; concept = the scene's (shape, colour) multiset, so held-out concepts are
 * unseen combinations.
 */
import { fmix32 } from '../hash.js';
import type { Box, Licence, Source, SourceItem, SourceOptions } from '../record.js';
import { Rng } from '../../tensor/random.js';
import { sample } from '../captions.js';
import { encodeGreyPng, encodePng } from '../image.js';
import { describe } from './describe.js';
import { EDIT_KINDS, applyEdit, type SceneEdit } from './edit.js';
import {
  renderScene, sampleScene, sceneAttributes, sceneConcept, type Scene, type Sticker, type StickerProvider,
} from './scene.js';

export { describe, referTo, referringOptions, relationOf, cellPhrase } from './describe.js';
export { applyEdit, EDIT_KINDS, type EditKind, type SceneEdit } from './edit.js';
export {
  renderScene, sampleScene, sceneAttributes, sceneFromAttributes, sceneConcept, checkScene, radiusOf, cellOf,
  type Scene, type SceneObject, type Sticker, type StickerProvider, type Rendered,
} from './scene.js';

export const SCENE_LICENCE: Licence = { spdx: 'CC0-1.0', attribution: 'cm3leon procedural scenes' };
/** Scenes (not counting edit twins) a stream yields when SourceOptions.limit is unset. */
export const DEFAULT_SCENES = 5000;

export interface SceneSourceConfig {
  /** Background stickers (emoji, icons...); without it every background is white. */
  stickers?: StickerProvider;
  /** Chance that a scene asks the provider for a sticker (default 0.5). */
  stickerProb?: number;
  /** Edited twins per scene: min and max (default 1..2); fewer when no edit of a kind applies. */
  editsPerScene?: [number, number];
  /** Visibility each object keeps, in scenes and edit targets (default 0.6). */
  minVisible?: number;
  /** Scene count when no limit is given (default DEFAULT_SCENES). */
  scenes?: number;
}

/** 32-bit seed of item n (murmur3 finaliser over the mixed pair). */
export function itemSeed(seed: number, n: number): number {
  return fmix32((fmix32(seed >>> 0) + Math.imul(n >>> 0, 0x9e3779b1)) >>> 0);
}

/** Style of a scene's records. */
export function sceneStyle(scene: Scene): string {
  return scene.sticker ? 'shapes-on-sticker' : 'shapes';
}

/** Encode one scene as a record (image, mask and boxes from renderScene). */
export async function sceneRecord(id: string, scene: Scene, captions: string[],
  extra: Record<string, SourceItem['attributes'][string]>, edit: SourceItem['edit']): Promise<SourceItem> {
  const { size } = scene;
  const r = renderScene(scene);
  const boxes: Box[] = scene.objects.map((o, i) => ({ label: `${o.colour} ${o.shape}`, ...r.boxes[i] }));
  return {
    id, source: 'scene', style: sceneStyle(scene), concept: sceneConcept(scene), captions,
    image: await encodePng({ data: r.rgb, width: size, height: size }), size,
    attributes: { ...sceneAttributes(scene), ...extra }, boxes,
    mask: await encodeGreyPng(r.mask, size, size), edit, licence: SCENE_LICENCE,
  };
}

/** The base scene and its edits of item n, without encoding (for evaluation code and tests). */
export async function generateItem(seed: number, n: number, size: number, cfg: SceneSourceConfig = {}):
  Promise<{ scene: Scene; captions: string[]; edits: SceneEdit[] }> {
  const rng = new Rng(itemSeed(seed, n));
  let sticker: Sticker | null = null;
  if (cfg.stickers && rng.uniform() < (cfg.stickerProb ?? 0.5)) {
    sticker = await cfg.stickers(new Rng(itemSeed(seed ^ 0x5bd1e995, n)), size);
  }
  const minVisible = cfg.minVisible ?? 0.6;
  const scene = sampleScene(rng, size, { sticker, minVisible });
  const captions = describe(scene, rng);
  const [lo, hi] = cfg.editsPerScene ?? [1, 2];
  const want = lo + rng.int(Math.max(0, hi - lo) + 1);
  const edits: SceneEdit[] = [];
  for (const kind of sample(rng, EDIT_KINDS, EDIT_KINDS.length)) {
    if (edits.length >= want) break;
    const e = applyEdit(scene, kind, rng, { minVisible });
    if (e) edits.push(e);
  }
  return { scene, captions, edits };
}

export function makeSceneSource(cfg: SceneSourceConfig = {}): Source {
  return {
    name: 'scene',
    async *items(opts: SourceOptions) {
      const limit = opts.limit ?? Infinity;
      const scenes = opts.limit === undefined ? (cfg.scenes ?? DEFAULT_SCENES) : Infinity;
      let yielded = 0;
      for (let n = 0; n < scenes && yielded < limit; n++) {
        const { scene, captions, edits } = await generateItem(opts.seed, n, opts.size, cfg);
        const id = `scene/${sceneStyle(scene)}/${n}`;
        yield await sceneRecord(id, scene, captions, { sceneIndex: n }, null);
        yielded++;
        for (const e of edits) {
          if (yielded >= limit) break;
          const tRng = new Rng(itemSeed(opts.seed ^ 0x27d4eb2f, n * 8 + EDIT_KINDS.indexOf(e.kind)));
          yield await sceneRecord(`${id}~${e.kind}`, e.target, describe(e.target, tRng), {
            sceneIndex: n, editKind: e.kind, editIndex: e.index, instructions: e.instructions, editOfConcept: sceneConcept(scene),
          }, { of: id, instruction: e.instruction, kind: e.kind });
          yielded++;
        }
      }
    },
  };
}

/** The default scene source: white backgrounds, 1–2 edited twins per scene. */
export const sceneSource: Source = makeSceneSource();
