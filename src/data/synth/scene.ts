/**
 * data/synth/scene.ts — procedural scenes: a canvas (white, or a pasted sticker) with 1–4 coloured
 * shapes in z-order. renderScene draws one exactly (RGB, instance mask, class mask, boxes of the
 * visible pixels); sampleScene draws a seeded random scene whose objects all lie inside the canvas
 * and stay mostly visible; sceneAttributes / sceneFromAttributes round-trip a scene through the
 * record's attributes.
 */
import type { AttrValue } from '../record.js';
import type { Rng } from '../../tensor/random.js';
import { COLOURS, COLOUR_NAMES, SHAPES, paintShape, type ColourName, type ShapeName } from './shapes.js';

export const SIZE_CLASSES = ['small', 'medium', 'large'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** One object; its z-order is its index in Scene.objects (later objects occlude earlier ones). */
export interface SceneObject { shape: ShapeName; colour: ColourName; sizeClass: SizeClass; cx: number; cy: number }
/** A background picture: size x size RGBA, composited over white (faded, see STICKER_FADE). */
export interface Sticker { name: string; rgba: Uint8Array }
export interface Scene { size: number; sticker: Sticker | null; objects: SceneObject[] }
/** Supplies a background sticker (emoji, icon...) for a scene; null = plain white. */
export type StickerProvider = (rng: Rng, size: number) => Sticker | null | Promise<Sticker | null>;

export interface PixelBox { x0: number; y0: number; x1: number; y1: number }
export interface Rendered {
  /** size x size x 3 RGB. */
  rgb: Uint8Array;
  /** size x size: 0 background, i + 1 where object i is visible. */
  mask: Uint8Array;
  /** size x size: 0 background, SHAPES.indexOf(shape) + 1 where a shape is visible. */
  classMask: Uint8Array;
  /** Per object: bounding box [x0, x1) x [y0, y1) of its visible pixels (all 0 if none). */
  boxes: PixelBox[];
  /** Per object: visible pixel count, and pixel count before occlusion. */
  visible: number[];
  area: number[];
}

export const MIN_CANVAS = 16;
/** Sticker weight over white: 0.5 keeps the shapes readable on a busy background. */
export const STICKER_FADE = 0.5;
const RADIUS_FRAC: Record<SizeClass, number> = { small: 0.07, medium: 0.11, large: 0.16 };
const RADIUS_MIN: Record<SizeClass, number> = { small: 2, medium: 3, large: 4 };

/** Integer radius (half-size) in pixels of a size class on a size x size canvas. */
export function radiusOf(sizeClass: SizeClass, size: number): number {
  return Math.max(RADIUS_MIN[sizeClass], Math.round(RADIUS_FRAC[sizeClass] * size));
}

/** The 3 x 3 grid cells, row-major from the top left. */
export const GRID_CELLS = ['top left', 'top', 'top right', 'left', 'centre', 'right', 'bottom left', 'bottom', 'bottom right'] as const;
export type GridCell = (typeof GRID_CELLS)[number];

/** Cell index 0..8 of a point (row-major). */
export function cellIndex(cx: number, cy: number, size: number): number {
  const col = Math.min(2, Math.max(0, Math.floor((3 * cx) / size)));
  const row = Math.min(2, Math.max(0, Math.floor((3 * cy) / size)));
  return row * 3 + col;
}
export function cellOf(cx: number, cy: number, size: number): GridCell {
  return GRID_CELLS[cellIndex(cx, cy, size)];
}

/** The background alone: white, or the sticker faded over white. */
export function renderBackground(size: number, sticker: Sticker | null): Uint8Array {
  const out = new Uint8Array(size * size * 3).fill(255);
  if (!sticker) return out;
  if (sticker.rgba.length !== size * size * 4) {
    throw new RangeError(`sticker '${sticker.name}' has ${sticker.rgba.length} bytes, expected ${size * size * 4}`);
  }
  const s = sticker.rgba;
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    const a = (s[i + 3] / 255) * STICKER_FADE;
    for (let c = 0; c < 3; c++) out[j + c] = Math.round(s[i + c] * a + 255 * (1 - a));
  }
  return out;
}

export function renderScene(scene: Scene): Rendered {
  const { size, objects } = scene;
  if (!(Number.isInteger(size) && size >= MIN_CANVAS)) throw new RangeError(`scene size must be an integer >= ${MIN_CANVAS}, got ${size}`);
  if (objects.length > 254) throw new RangeError('at most 254 objects');
  const rgb = renderBackground(size, scene.sticker);
  const mask = new Uint8Array(size * size), classMask = new Uint8Array(size * size);
  const area: number[] = [];
  objects.forEach((o, i) => area.push(paintShape(mask, size, size, o.shape, o.cx, o.cy, radiusOf(o.sizeClass, size), i + 1)));
  const boxes: PixelBox[] = objects.map(() => ({ x0: size, y0: size, x1: 0, y1: 0 }));
  const visible = objects.map(() => 0);
  const colours = objects.map((o) => COLOURS[o.colour]);
  const classes = objects.map((o) => SHAPES.indexOf(o.shape) + 1);
  for (let y = 0, p = 0; y < size; y++) {
    for (let x = 0; x < size; x++, p++) {
      const m = mask[p];
      if (m === 0) continue;
      const i = m - 1, b = boxes[i], c = colours[i];
      visible[i]++;
      if (x < b.x0) b.x0 = x;
      if (x + 1 > b.x1) b.x1 = x + 1;
      if (y < b.y0) b.y0 = y;
      if (y + 1 > b.y1) b.y1 = y + 1;
      rgb[3 * p] = c[0]; rgb[3 * p + 1] = c[1]; rgb[3 * p + 2] = c[2];
      classMask[p] = classes[i];
    }
  }
  boxes.forEach((b, i) => { if (visible[i] === 0) { b.x0 = b.y0 = b.x1 = b.y1 = 0; } });
  return { rgb, mask, classMask, boxes, visible, area };
}

/** Is the object's whole square [cx - r, cx + r]^2 inside the canvas? */
export function insideCanvas(o: SceneObject, size: number): boolean {
  const r = radiusOf(o.sizeClass, size);
  return o.cx - r >= 0 && o.cx + r <= size && o.cy - r >= 0 && o.cy + r <= size;
}

/**
 * Why a scene breaks the generator's rules, or null if it keeps them: every object inside the
 * canvas, centres of any two objects apart by >= (ra + rb) / 2 along some axis (so spatial
 * relations are meaningful), and every object with >= minVisible of its pixels visible.
 */
export function checkScene(scene: Scene, minVisible = 0.6): string | null {
  const { size, objects } = scene;
  for (let i = 0; i < objects.length; i++) {
    const a = objects[i];
    if (!insideCanvas(a, size)) return `object ${i} leaves the canvas`;
    for (let j = 0; j < i; j++) {
      const b = objects[j];
      const need = (radiusOf(a.sizeClass, size) + radiusOf(b.sizeClass, size)) / 2;
      if (Math.max(Math.abs(a.cx - b.cx), Math.abs(a.cy - b.cy)) < need) return `objects ${j} and ${i} are too close`;
    }
  }
  const r = renderScene(scene);
  for (let i = 0; i < objects.length; i++) {
    if (r.visible[i] < minVisible * r.area[i] || r.visible[i] === 0) return `object ${i} is ${r.visible[i]}/${r.area[i]} visible`;
  }
  return null;
}

export interface SampleOptions {
  sticker?: Sticker | null;
  minObjects?: number;
  maxObjects?: number;
  /** Fraction of each object's pixels that must stay visible (default 0.6). */
  minVisible?: number;
  /** Probability that a new object repeats an earlier object's shape and colour (default 0.25). */
  repeatProb?: number;
}

/** A random object of the given (or a random) kind, centred so that it lies inside the canvas. */
export function randomObject(rng: Rng, size: number, kind: Partial<SceneObject> = {}): SceneObject {
  const shape = kind.shape ?? SHAPES[rng.int(SHAPES.length)];
  const colour = kind.colour ?? COLOUR_NAMES[rng.int(COLOUR_NAMES.length)];
  const sizeClass = kind.sizeClass ?? SIZE_CLASSES[rng.int(SIZE_CLASSES.length)];
  const r = radiusOf(sizeClass, size);
  const cx = kind.cx ?? r + rng.int(size - 2 * r + 1);
  const cy = kind.cy ?? r + rng.int(size - 2 * r + 1);
  return { shape, colour, sizeClass, cx, cy };
}

/** A seeded random scene of minObjects..maxObjects objects (1..4) that passes checkScene. */
export function sampleScene(rng: Rng, size: number, opts: SampleOptions = {}): Scene {
  const minN = opts.minObjects ?? 1, maxN = opts.maxObjects ?? 4, minVisible = opts.minVisible ?? 0.6;
  if (!(minN >= 1 && maxN >= minN)) throw new RangeError(`sampleScene: bad object counts ${minN}..${maxN}`);
  if (!(Number.isInteger(size) && size >= MIN_CANVAS)) throw new RangeError(`sampleScene: size must be an integer >= ${MIN_CANVAS}, got ${size}`);
  const n = minN + rng.int(maxN - minN + 1);
  const scene: Scene = { size, sticker: opts.sticker ?? null, objects: [] };
  for (let k = 0; k < n; k++) {
    for (let attempt = 0; attempt < 60; attempt++) {
      let kind: Partial<SceneObject> = {};
      if (k > 0 && rng.uniform() < (opts.repeatProb ?? 0.25)) {
        const prev = scene.objects[rng.int(scene.objects.length)];
        kind = { shape: prev.shape, colour: prev.colour };
      }
      const o = randomObject(rng, size, kind);
      const trial: Scene = { ...scene, objects: [...scene.objects, o] };
      if (checkScene(trial, minVisible) === null) { scene.objects.push(o); break; }
    }
  }
  return scene;
}

/** Canonical (shape, colour) multiset, e.g. "circle:red+square:blue" (sorted, repeats kept). */
export function sceneConcept(scene: Scene): string {
  return scene.objects.map((o) => `${o.shape}:${o.colour}`).sort().join('+');
}

function counts(xs: string[]): string[] {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k}:${v}`);
}

/** Exact attributes of a scene (objects listed in z-order); sceneFromAttributes inverts them. */
export function sceneAttributes(scene: Scene): Record<string, AttrValue> {
  const { size, objects } = scene;
  return {
    canvas: size,
    background: scene.sticker ? scene.sticker.name : 'white',
    count: objects.length,
    shapes: objects.map((o) => o.shape),
    colours: objects.map((o) => o.colour),
    sizeClasses: objects.map((o) => o.sizeClass),
    radii: objects.map((o) => radiusOf(o.sizeClass, size)),
    cx: objects.map((o) => o.cx),
    cy: objects.map((o) => o.cy),
    zOrder: objects.map((_, i) => i),
    cells: objects.map((o) => cellOf(o.cx, o.cy, size)),
    shapeCounts: counts(objects.map((o) => o.shape)),
    colourCounts: counts(objects.map((o) => o.colour)),
    kindCounts: counts(objects.map((o) => `${o.colour} ${o.shape}`)),
  };
}

/** Rebuild a scene from its attributes; pass the sticker when attrs.background is not 'white'. */
export function sceneFromAttributes(attrs: Record<string, AttrValue>, sticker: Sticker | null = null): Scene {
  const size = attrs.canvas as number;
  const shapes = attrs.shapes as string[], colours = attrs.colours as string[], classes = attrs.sizeClasses as string[];
  const cx = attrs.cx as number[], cy = attrs.cy as number[];
  if (attrs.background !== 'white' && sticker?.name !== attrs.background) {
    throw new Error(`sceneFromAttributes: background '${String(attrs.background)}' needs its sticker`);
  }
  const objects = shapes.map((s, i) => ({
    shape: s as ShapeName, colour: colours[i] as ColourName, sizeClass: classes[i] as SizeClass, cx: cx[i], cy: cy[i],
  }));
  return { size, sticker: attrs.background === 'white' ? null : sticker, objects };
}
