/**
 * data/synth/describe.ts — language for procedural scenes, derived from the exact scene: seeded
 * captions (grouped counts, "N shapes: ...", spatial relations from the centres, 3 x 3 grid
 * positions) and unambiguous referring expressions ("the red circle") for edit instructions.
 */
import type { Rng } from '../../tensor/random.js';
import { article, cleanCaptions, joinList, pick, sample } from '../captions.js';
import { cellOf, type GridCell, type Scene, type SceneObject } from './scene.js';
import { pluralShape } from './shapes.js';

export const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "at the top left", "on the left", "in the centre", "at the bottom". */
export function cellPhrase(cell: GridCell): string {
  if (cell === 'centre') return 'in the centre';
  if (cell === 'left' || cell === 'right') return `on the ${cell}`;
  return `at the ${cell}`;
}

export type Relation = 'left of' | 'right of' | 'above' | 'below';

/** Where a is relative to b, along the axis on which their centres differ most (ties: horizontal). */
export function relationOf(a: SceneObject, b: SceneObject): Relation {
  const dx = a.cx - b.cx, dy = a.cy - b.cy;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? 'left of' : 'right of';
  return dy < 0 ? 'above' : 'below';
}

const RELATION_WORDS: Record<Relation, string[]> = {
  'left of': ['left of', 'to the left of', 'on the left of'],
  'right of': ['right of', 'to the right of', 'on the right of'],
  above: ['above', 'over'],
  below: ['below', 'under', 'beneath'],
};

/** "a red circle" / "a large red circle". */
export function objectPhrase(o: SceneObject, withSize = false): string {
  const words = withSize ? `${o.sizeClass} ${o.colour} ${o.shape}` : `${o.colour} ${o.shape}`;
  return `${article(words)} ${words}`;
}

/** "two green triangles and a yellow star": objects grouped by (colour, shape), in the given order. */
export function groupedPhrase(objects: readonly SceneObject[]): string {
  const groups = new Map<string, { o: SceneObject; n: number }>();
  for (const o of objects) {
    const k = `${o.colour} ${o.shape}`;
    const g = groups.get(k);
    if (g) g.n++; else groups.set(k, { o, n: 1 });
  }
  return joinList([...groups.values()].map(({ o, n }) =>
    (n === 1 ? objectPhrase(o) : `${NUMBER_WORDS[n] ?? String(n)} ${o.colour} ${pluralShape(o.shape)}`)));
}

function countWord(n: number): string {
  return `${NUMBER_WORDS[n] ?? String(n)} ${n === 1 ? 'shape' : 'shapes'}`;
}

/**
 * Relation caption covering every object: pairs (p0, p1) and, with 3 or 4 objects, (p2, p0|p1) or
 * (p2, p3), for a seeded permutation p: "a red circle left of a blue square, and a green star
 * below the red circle".
 */
function relationCaption(scene: Scene, rng: Rng): string {
  const objs = scene.objects;
  const p = sample(rng, objs.map((_, i) => i), objs.length);
  const pairs: [number, number][] = [[p[0], p[1]]];
  if (p.length === 3) {
    // Re-mention whichever of p0, p1 a definite description picks out ("the red circle").
    const named = [p[0], p[1]].filter((i) => referringOptions(scene, i).some((r) => r.includes(objs[i].colour)));
    pairs.push([p[2], named.length > 0 ? named[rng.int(named.length)] : p[rng.int(2)]]);
  }
  if (p.length >= 4) pairs.push([p[2], p[3]]);
  const mentioned = new Set<number>();
  const name = (i: number, other = -1) => {
    const o = objs[i], first = !mentioned.has(i);
    mentioned.add(i);
    if (!first) return referringOptions(scene, i).find((r) => r.includes(o.colour)) ?? objectPhrase(o);
    const twin = other >= 0 && objs[other].colour === o.colour && objs[other].shape === o.shape;
    return twin ? `another ${o.colour} ${o.shape}` : objectPhrase(o, rng.uniform() < 0.3);
  };
  return pairs.map(([a, b]) => {
    const sa = name(a);
    return `${sa} ${pick(rng, RELATION_WORDS[relationOf(objs[a], objs[b])])} ${name(b, a)}`;
  }).join(', and ');
}

/** Object with size and grid position: "a large purple heart at the top right". */
function placedPhrase(o: SceneObject, size: number): string {
  return `${objectPhrase(o, true)} ${cellPhrase(cellOf(o.cx, o.cy, size))}`;
}

/**
 * At least 3 distinct seeded captions, each naming every object's colour and shape (singular, or
 * plural after a count): grouped counts, "N shapes: ...", relations (or, for one object, its
 * position) and positions on the 3 x 3 grid. A sticker background is mentioned by name.
 */
export function describe(scene: Scene, rng: Rng): string[] {
  const objs = scene.objects;
  if (objs.length === 0) throw new Error('describe: empty scene');
  const order = () => sample(rng, objs, objs.length);
  const bg = scene.sticker ? pick(rng, [`, on ${article(scene.sticker.name)} ${scene.sticker.name} background`, ` over a faded ${scene.sticker.name}`]) : '';
  const grouped = groupedPhrase(order());
  const counted = `${countWord(objs.length)}: ${groupedPhrase(order())}`;
  const placed = joinList(order().map((o) => placedPhrase(o, scene.size)));
  const caps = [
    pick(rng, [grouped, `a picture of ${grouped}`, scene.sticker ? grouped : `${grouped} on a white background`]) + bg,
    pick(rng, [counted, `a drawing of ${counted}`]),
    objs.length >= 2 ? relationCaption(scene, rng) : placedPhrase(objs[0], scene.size),
    placed + bg,
  ];
  return cleanCaptions(caps, 'scene');
}

/**
 * Definite descriptions that pick out object i alone in the scene, most general first: "the star",
 * "the red circle", "the small red circle", "the red circle at the top left".
 */
export function referringOptions(scene: Scene, i: number): string[] {
  const objs = scene.objects, o = objs[i], size = scene.size;
  const others = objs.filter((_, j) => j !== i);
  const cell = cellOf(o.cx, o.cy, size);
  const options: string[] = [];
  if (!others.some((x) => x.shape === o.shape)) options.push(`the ${o.shape}`);
  const same = others.filter((x) => x.shape === o.shape && x.colour === o.colour);
  if (same.length === 0) options.push(`the ${o.colour} ${o.shape}`);
  if (!same.some((x) => x.sizeClass === o.sizeClass)) options.push(`the ${o.sizeClass} ${o.colour} ${o.shape}`);
  if (!same.some((x) => cellOf(x.cx, x.cy, size) === cell)) options.push(`the ${o.colour} ${o.shape} ${cellPhrase(cell)}`);
  return options;
}

/**
 * A referring expression for object i chosen at random among the unique ones ("the red circle"
 * weighted double, being the most natural); null if none is unique.
 */
export function referTo(scene: Scene, i: number, rng: Rng): string | null {
  const options = referringOptions(scene, i);
  const o = scene.objects[i], plain = `the ${o.colour} ${o.shape}`;
  if (options.includes(plain)) options.push(plain);
  return options.length > 0 ? pick(rng, options) : null;
}
