/**
 * test/helpers/shape_pairs.ts — retrieval pairs that need no dataset: 16x16 images of one coloured
 * shape, concept = colour + shape, three captions naming both.
 */
import type { Pair } from '../../src/retrieval/train.js';
import { Rng } from '../../src/tensor/index.js';

const COLORS: Record<string, number[]> = { red: [220, 30, 30], green: [30, 180, 40], blue: [30, 60, 220], yellow: [240, 220, 20], black: [10, 10, 10], purple: [140, 40, 170] };
const SHAPES = ['square', 'bar', 'column', 'dot'];

/** 16x16 images of one coloured shape; concept = colour + shape; captions name both. */
export function shapePairs(n: number, seed: number): Pair[] {
  const rng = new Rng(seed), names = Object.keys(COLORS);
  return Array.from({ length: n }, (_, i) => {
    const c = names[rng.int(names.length)], s = SHAPES[rng.int(SHAPES.length)];
    const img = new Uint8Array(16 * 16 * 3).fill(255);
    const [w, h] = s === 'square' ? [8, 8] : s === 'bar' ? [12, 4] : s === 'column' ? [4, 12] : [3, 3];
    const x0 = rng.int(17 - w), y0 = rng.int(17 - h);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.set(COLORS[c], (y * 16 + x) * 3);
    return { id: `p${seed}-${i}`, concept: `${c} ${s}`, captions: [`a ${c} ${s}`, `${s}, ${c}`, `the ${c} ${s} on white`], image: img };
  });
}

