/**
 * data/splits.ts — deterministic splits. Whole concepts are held out (a hash of source + concept,
 * so every style, skin tone and edit of one concept lands together), and one whole emoji style
 * is held out for evaluation. No randomness, no dependence on build order.
 */
import { hash32 } from './hash.js';
import type { SourceItem, Split } from './record.js';

export interface SplitPolicy {
  /** Fraction of concepts held out (per source), default 0.1. */
  conceptFraction: number;
  /** Emoji style held out entirely (default 'twitter'); '' for none. */
  heldOutStyle: string;
}

export const DEFAULT_SPLITS: SplitPolicy = { conceptFraction: 0.1, heldOutStyle: 'twitter' };

/** A string mapped to [0, 1) by hash32. */
export function unitHash(s: string): number {
  return hash32(s) / 4294967296;
}

export function assignSplit(item: Pick<SourceItem, 'source' | 'style' | 'concept'>, p: SplitPolicy = DEFAULT_SPLITS): Split {
  if (unitHash(`${item.source}:${item.concept}`) < p.conceptFraction) return 'heldout-concept';
  if (item.source === 'emoji' && p.heldOutStyle !== '' && item.style === p.heldOutStyle) return 'heldout-style';
  return 'train';
}
