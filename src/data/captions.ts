/**
 * data/captions.ts — caption helpers shared by the sources: seeded choice/sampling, list joining
 * ("a, b and c") and cleanup (a caption is never empty).
 */
import { Rng } from '../tensor/random.js';
import { hash32 } from './hash.js';

/** A small seeded RNG per item: the same item always gets the same captions. */
export function itemRng(seed: number, id: string): Rng {
  return new Rng(hash32(id, seed));
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new RangeError('pick: empty list');
  return xs[rng.int(xs.length)];
}

/** Up to k distinct elements in random order. */
export function sample<T>(rng: Rng, xs: readonly T[], k: number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, Math.min(k, a.length));
}

/** "a", "a and b", "a, b and c". */
export function joinList(xs: readonly string[]): string {
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** Trim, collapse spaces, drop empties and duplicates; throws if nothing is left. */
export function cleanCaptions(captions: readonly string[], id: string): string[] {
  const out = [...new Set(captions.map((c) => c.replace(/\s+/g, ' ').trim()).filter((c) => c.length > 0))];
  if (out.length === 0) throw new Error(`${id}: no non-empty caption`);
  return out;
}

/** "a" or "an" for the next word. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
