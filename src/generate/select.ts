/**
 * generate/select.ts — token selectors: the last step of decoding, from a processed logits row
 * (−∞ = forbidden) to one id. `greedy` is the argmax (ties → the lowest id); `sample` draws from
 * softmax(row) with exactly ONE `rng.uniform()` per call, walking ids in ascending order, so a
 * given seed and row always give the same id on every platform.
 */
import type { Rng } from '../tensor/index.js';
import type { Row } from './logits.js';

export type Selector = (row: Row, rng: Rng) => number;

export function greedy(row: Row): number {
  let best = -1, m = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > m) { m = row[i]; best = i; }
  if (best < 0) throw new RangeError('greedy: every entry is -Infinity (the constraints left no token)');
  return best;
}

export function sample(row: Row, rng: Rng): number {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > m) m = row[i];
  if (m === -Infinity) throw new RangeError('sample: every entry is -Infinity (the constraints left no token)');
  if (!Number.isFinite(m)) throw new RangeError(`sample: the row holds ${m}`);
  const w = new Float64Array(row.length);
  let total = 0, last = -1;
  for (let i = 0; i < row.length; i++) {
    if (row[i] > -Infinity) { w[i] = Math.exp(row[i] - m); total += w[i]; last = i; }
  }
  let r = rng.uniform() * total;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    if (r < w[i]) return i;
    r -= w[i];
  }
  return last; // rounding left r >= the last weight
}
