/**
 * data/splits.ts — deterministic splits. Whole concepts are held out (a hash of source + concept,
 * so every style, skin tone and edit of one concept lands together), and one whole emoji style
 * is held out for evaluation. No randomness, no dependence on build order.
 */
import type { SourceItem, Split } from './record.js';

export interface SplitPolicy {
  /** Fraction of concepts held out (per source), default 0.1. */
  conceptFraction: number;
  /** Emoji style held out entirely (default 'twitter'); '' for none. */
  heldOutStyle: string;
}

export const DEFAULT_SPLITS: SplitPolicy = { conceptFraction: 0.1, heldOutStyle: 'twitter' };

/** FNV-1a 32-bit hash with a murmur3 finaliser (uniform on similar strings), mapped to [0, 1). */
export function unitHash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function assignSplit(item: Pick<SourceItem, 'source' | 'style' | 'concept'>, p: SplitPolicy = DEFAULT_SPLITS): Split {
  if (unitHash(`${item.source}:${item.concept}`) < p.conceptFraction) return 'heldout-concept';
  if (item.source === 'emoji' && p.heldOutStyle !== '' && item.style === p.heldOutStyle) return 'heldout-style';
  return 'train';
}
