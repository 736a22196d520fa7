/**
 * data/synth/edit.ts — instruction edits of procedural scenes. Each edit changes the scene
 * description (recolour, move, add, remove, resize one object) and the target is rendered from
 * the modified description, so source and target differ exactly where the instruction says.
 */
import type { Rng } from '../../tensor/random.js';
import { article, pick, sample } from '../captions.js';
import { cellPhrase, referTo } from './describe.js';
import {
  GRID_CELLS, SIZE_CLASSES, cellIndex, checkScene, radiusOf, randomObject, type Scene, type SceneObject,
} from './scene.js';
import { COLOUR_NAMES } from './shapes.js';

export const EDIT_KINDS = ['recolour', 'move', 'add', 'remove', 'resize'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];
export type Direction = 'left' | 'right' | 'up' | 'down';

export interface SceneEdit {
  kind: EditKind;
  /** The chosen instruction, and all its phrasings (the chosen one included). */
  instruction: string;
  instructions: string[];
  target: Scene;
  /** The edited object: its index in the source scene (for 'add': in the target scene). */
  index: number;
}

export interface EditOptions {
  /** Visibility every object must keep in the target (default 0.6, as in sampleScene). */
  minVisible?: number;
  /** Most objects a scene may have after 'add' (default 4). */
  maxObjects?: number;
}

const DIRECTION_PHRASE: Record<Direction, string> = { left: 'to the left', right: 'to the right', up: 'up', down: 'down' };

/** Step of a move: a quarter of the canvas, else an eighth (at least 2 px). */
function moveSteps(size: number): number[] {
  return [Math.max(2, Math.round(size / 4)), Math.max(2, Math.round(size / 8))];
}

function withObject(scene: Scene, i: number, o: SceneObject): Scene {
  return { ...scene, objects: scene.objects.map((x, j) => (j === i ? o : x)) };
}

function result(kind: EditKind, rng: Rng, instructions: string[], target: Scene, index: number): SceneEdit {
  return { kind, instruction: pick(rng, instructions), instructions, target, index };
}

/** Uniform integer in [lo, hi] clipped to the range where the object stays inside the canvas. */
function placeIn(rng: Rng, lo: number, hi: number, r: number, size: number): number | null {
  const a = Math.max(lo, r), b = Math.min(hi, size - r);
  return a > b ? null : a + rng.int(b - a + 1);
}

/** Every edit of one kind is tried over objects in a seeded order; null when none is possible. */
export function applyEdit(scene: Scene, kind: EditKind, rng: Rng, opts: EditOptions = {}): SceneEdit | null {
  const minVisible = opts.minVisible ?? 0.6, maxObjects = opts.maxObjects ?? 4;
  const { size, objects } = scene;
  const order = sample(rng, objects.map((_, i) => i), objects.length);
  const ok = (s: Scene) => checkScene(s, minVisible) === null;
  switch (kind) {
    case 'recolour':
      for (const i of order) {
        const ref = referTo(scene, i, rng);
        if (!ref) continue;
        const o = objects[i];
        const c = pick(rng, COLOUR_NAMES.filter((x) => x !== o.colour));
        return result(kind, rng, [`make ${ref} ${c}`, `change the colour of ${ref} to ${c}`, `turn ${ref} ${c}`, `colour ${ref} ${c}`],
          withObject(scene, i, { ...o, colour: c }), i);
      }
      return null;
    case 'move':
      for (const i of order) {
        const ref = referTo(scene, i, rng);
        if (!ref) continue;
        const o = objects[i];
        for (const dir of sample(rng, ['left', 'right', 'up', 'down'] as Direction[], 4)) {
          for (const d of moveSteps(size)) {
            const dx = dir === 'left' ? -d : dir === 'right' ? d : 0, dy = dir === 'up' ? -d : dir === 'down' ? d : 0;
            const target = withObject(scene, i, { ...o, cx: o.cx + dx, cy: o.cy + dy });
            if (!ok(target)) continue;
            const p = DIRECTION_PHRASE[dir];
            return result(kind, rng, [`move ${ref} ${p}`, `shift ${ref} ${p}`, `slide ${ref} ${p}`], target, i);
          }
        }
      }
      return null;
    case 'add': {
      if (objects.length >= maxObjects) return null;
      for (const cell of sample(rng, GRID_CELLS.map((_, k) => k), GRID_CELLS.length)) {
        const row = Math.floor(cell / 3), col = cell % 3;
        for (let attempt = 0; attempt < 12; attempt++) {
          const base = randomObject(rng, size);
          const r = radiusOf(base.sizeClass, size);
          // Pixel-centre range of the column / row: floor(3x / size) === col.
          const cx = placeIn(rng, Math.ceil((col * size) / 3), Math.ceil(((col + 1) * size) / 3) - 1, r, size);
          const cy = placeIn(rng, Math.ceil((row * size) / 3), Math.ceil(((row + 1) * size) / 3) - 1, r, size);
          if (cx === null || cy === null) continue;
          const o = { ...base, cx, cy };
          if (cellIndex(cx, cy, size) !== cell) continue;
          const target = { ...scene, objects: [...objects, o] };
          if (!ok(target)) continue;
          const words = `${o.sizeClass} ${o.colour} ${o.shape}`;
          const np = `${article(words)} ${words} ${cellPhrase(GRID_CELLS[cell])}`;
          return result(kind, rng, [`add ${np}`, `put ${np}`, `draw ${np}`], target, objects.length);
        }
      }
      return null;
    }
    case 'remove':
      if (objects.length < 2) return null;
      for (const i of order) {
        const ref = referTo(scene, i, rng);
        if (!ref) continue;
        const target = { ...scene, objects: objects.filter((_, j) => j !== i) };
        if (!ok(target)) continue;
        return result(kind, rng, [`remove ${ref}`, `delete ${ref}`, `take away ${ref}`, `erase ${ref}`], target, i);
      }
      return null;
    case 'resize':
      for (const i of order) {
        const ref = referTo(scene, i, rng);
        if (!ref) continue;
        const o = objects[i];
        const k = SIZE_CLASSES.indexOf(o.sizeClass);
        for (const step of sample(rng, [1, -1], 2)) {
          const sizeClass = SIZE_CLASSES[k + step];
          if (!sizeClass || radiusOf(sizeClass, size) === radiusOf(o.sizeClass, size)) continue;
          const target = withObject(scene, i, { ...o, sizeClass });
          if (!ok(target)) continue;
          const ins = step > 0
            ? [`make ${ref} bigger`, `make ${ref} larger`, `enlarge ${ref}`, `increase the size of ${ref}`]
            : [`make ${ref} smaller`, `shrink ${ref}`, `reduce the size of ${ref}`];
          return result(kind, rng, ins, target, i);
        }
      }
      return null;
  }
}
