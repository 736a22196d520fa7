/**
 * generate/logits.ts — logits processors (paper §5): pure functions over one logits row of V
 * entries. Every function returns a NEW Float64Array and leaves its input alone; -Infinity means
 * "never pick this id". Rows are unnormalised logits unless stated (CFG and CD-K also accept
 * log-probabilities: both are shift-invariant per row).
 *
 *   temperature   row / t
 *   topK          keep the ids whose logit >= the k-th largest logit (ties with it are kept)
 *   topP          keep the fewest most-probable ids whose mass reaches p (ties with the last one kept)
 *   cfgCombine    uncond + α·(cond − uncond)                 (Make-A-Scene CFG, paper §5)
 *   contrastive   CD-K: log p_exp − log p_ama on V = {t : p_exp(t) >= α·(k-th largest p_exp)}, else −∞
 *   allowOnly     −∞ outside an allowed id set (the image-code / text-only constraints)
 *
 * A `LogitsProcessor` is one of these with its settings bound (`proc.topP(0.9)`); `applyAll` runs
 * a list in order. Tie rules are by value, never by index, so results do not depend on sort order.
 */
import type { IdRange } from '../tokenizer/vocab.js';

export type Row = Float32Array | Float64Array | readonly number[];
export type LogitsProcessor = (row: Float64Array) => Float64Array;

/** Allowed ids: the union of half-open ranges and single ids. */
export interface Allowed { ranges?: readonly IdRange[]; ids?: readonly number[] }

const copy = (row: Row) => Float64Array.from(row as ArrayLike<number>);

/** Numerically stable log-softmax over the finite entries (−∞ stays −∞; no finite entry throws). */
export function logSoftmax(row: Row): Float64Array {
  const out = copy(row);
  let m = -Infinity;
  for (const x of out) if (x > m) m = x;
  if (m === -Infinity) throw new RangeError('logSoftmax: every entry is -Infinity (the constraints left no token)');
  if (!Number.isFinite(m)) throw new RangeError(`logSoftmax: the row holds ${m}`);
  let s = 0;
  for (const x of out) s += Math.exp(x - m);
  const lse = m + Math.log(s);
  for (let i = 0; i < out.length; i++) out[i] -= lse;
  return out;
}

export function softmax(row: Row): Float64Array {
  const out = logSoftmax(row);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
  return out;
}

/** The k-th largest finite value (counting repeats); the smallest finite one when fewer than k. */
function kthLargest(row: Float64Array, k: number): number {
  const finite = Array.from(row).filter((x) => x > -Infinity).sort((a, b) => b - a);
  if (finite.length === 0) throw new RangeError('every entry is -Infinity (the constraints left no token)');
  return finite[Math.min(k, finite.length) - 1];
}

function checkK(k: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${what}: k must be an integer >= 1, got ${k}`);
}

/** row / t for t > 0 (t → 0 approaches greedy; use the greedy selector for that). */
export function temperature(row: Row, t: number): Float64Array {
  if (!(t > 0) || !Number.isFinite(t)) throw new RangeError(`temperature: t must be a finite number > 0, got ${t}`);
  const out = copy(row);
  for (let i = 0; i < out.length; i++) out[i] /= t;
  return out;
}

/** Keep ids whose value is >= the k-th largest (all ties with it survive, so possibly > k ids). */
export function topK(row: Row, k: number): Float64Array {
  checkK(k, 'topK');
  const out = copy(row), cut = kthLargest(out, k);
  for (let i = 0; i < out.length; i++) if (out[i] < cut) out[i] = -Infinity;
  return out;
}

/**
 * Nucleus filtering: sort by probability, keep the shortest prefix whose mass is >= p (at least
 * one id), plus every id tied with the last kept probability. p in (0, 1]; p = 1 keeps every
 * finite id. Mass comparisons allow 1e-9 of rounding (softmax sums are not exact).
 */
export function topP(row: Row, p: number): Float64Array {
  if (!(p > 0 && p <= 1)) throw new RangeError(`topP: p must be in (0, 1], got ${p}`);
  const out = copy(row), probs = softmax(out);
  if (p === 1) return out;
  // The cut only needs the probabilities in descending order, not their ids: a native numeric
  // sort of the values (the same sequence a sort of ids by probability visits, so the same sums).
  let n = 0;
  const vals = new Float64Array(out.length);
  for (let i = 0; i < out.length; i++) if (out[i] > -Infinity) vals[n++] = probs[i];
  const sorted = vals.subarray(0, n).sort();
  let cum = 0, cut = sorted[n - 1];
  for (let j = n - 1; j >= 0; j--) {
    cum += sorted[j];
    cut = sorted[j];
    if (cum >= p - 1e-9) break;
  }
  for (let i = 0; i < out.length; i++) if (probs[i] < cut) out[i] = -Infinity;
  return out;
}

/** Classifier-free guidance uncond + α·(cond − uncond); −∞ in either row gives −∞. */
export function cfgCombine(cond: Row, uncond: Row, alpha: number): Float64Array {
  if (!Number.isFinite(alpha)) throw new RangeError(`cfgCombine: the guidance weight must be finite, got ${alpha}`);
  if (cond.length !== uncond.length) throw new RangeError(`cfgCombine: rows of ${cond.length} and ${uncond.length} entries`);
  const out = new Float64Array(cond.length);
  for (let i = 0; i < out.length; i++) {
    const c = cond[i], u = uncond[i];
    out[i] = c === -Infinity || u === -Infinity ? -Infinity : u + alpha * (c - u);
  }
  return out;
}

export interface ContrastiveOptions {
  /** The plausibility set is relative to the k-th largest expert probability (k = 1: Li et al.'s CD). */
  k: number;
  /** Plausibility threshold α in [0, 1] (Li et al. 0.1). */
  alpha: number;
}

/**
 * CD-K (paper §5, after Li et al. 2022): score(t) = log p_exp(t) − log p_ama(t) for t in
 * V = {t : p_exp(t) >= α · kmax_k p_exp}, −∞ elsewhere. `expert`/`amateur` are logits (or
 * log-probs) rows; both are normalised here. With k >= 1 and α <= 1, V holds at least
 * min(k, #finite) ids. Precondition: the amateur is finite wherever the expert is (mask both
 * rows with the same constraint first); otherwise the score would be +∞ and this throws.
 */
export function contrastive(expert: Row, amateur: Row, o: ContrastiveOptions): Float64Array {
  checkK(o.k, 'contrastive');
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`contrastive: alpha must be in [0, 1], got ${o.alpha}`);
  if (expert.length !== amateur.length) throw new RangeError(`contrastive: rows of ${expert.length} and ${amateur.length} entries`);
  const le = logSoftmax(expert), la = logSoftmax(amateur);
  const cut = Math.log(o.alpha) + kthLargest(le, o.k);
  const out = new Float64Array(le.length);
  for (let i = 0; i < out.length; i++) {
    if (!(le[i] > -Infinity) || le[i] < cut) { out[i] = -Infinity; continue; }
    if (la[i] === -Infinity) throw new RangeError(`contrastive: id ${i} is possible for the expert but -Infinity for the amateur (mask both rows alike)`);
    out[i] = le[i] - la[i];
  }
  return out;
}

/** A boolean mask of V ids from an Allowed set (ids outside [0, V) are errors). */
export function allowedMask(allowed: Allowed, V: number): Uint8Array {
  const m = new Uint8Array(V);
  for (const r of allowed.ranges ?? []) {
    if (!(r.start >= 0 && r.end <= V && r.start <= r.end)) throw new RangeError(`allowOnly: range [${r.start}, ${r.end}) outside [0, ${V})`);
    m.fill(1, r.start, r.end);
  }
  for (const id of allowed.ids ?? []) {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`allowOnly: id ${id} outside [0, ${V})`);
    m[id] = 1;
  }
  return m;
}

/** −∞ outside `allowed` (an Allowed set or a mask from allowedMask). */
export function allowOnly(row: Row, allowed: Allowed | Uint8Array): Float64Array {
  const out = copy(row), m = allowed instanceof Uint8Array ? allowed : allowedMask(allowed, out.length);
  if (m.length !== out.length) throw new RangeError(`allowOnly: a mask of ${m.length} ids for a row of ${out.length}`);
  for (let i = 0; i < out.length; i++) if (!m[i]) out[i] = -Infinity;
  return out;
}

/** Factories binding settings, for processor lists. */
export const proc = {
  temperature: (t: number): LogitsProcessor => (row) => temperature(row, t),
  topK: (k: number): LogitsProcessor => (row) => topK(row, k),
  topP: (p: number): LogitsProcessor => (row) => topP(row, p),
  allowOnly: (allowed: Allowed | Uint8Array): LogitsProcessor => (row) => allowOnly(row, allowed),
};

/** Run processors left to right. */
export function applyAll(row: Row, processors: readonly LogitsProcessor[]): Float64Array {
  let out: Float64Array = copy(row);
  for (const p of processors) out = p(out);
  return out;
}
