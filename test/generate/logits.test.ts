/** Logits processors and selectors against hand-computed values (ties, −∞, edge settings). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowOnly, applyAll, cfgCombine, contrastive, logSoftmax, proc, softmax, temperature, topK, topP,
} from '../../src/generate/logits.js';
import { greedy, sample } from '../../src/generate/select.js';
import { Rng } from '../../src/tensor/random.js';

const NEG = -Infinity;
const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12) => {
  assert.equal(got.length, want.length);
  want.forEach((w, i) => {
    if (!Number.isFinite(w)) assert.equal(got[i], w, `entry ${i}: ${got[i]} vs ${w}`);
    else assert.ok(Math.abs(got[i] - w) <= tol, `entry ${i}: ${got[i]} vs ${w}`);
  });
};
/** Ids left finite. */
const kept = (row: ArrayLike<number>) => Array.from(row).flatMap((x, i) => (x > NEG ? [i] : []));
const logs = (p: number[], shift = 0) => p.map((x) => (x === 0 ? NEG : Math.log(x) + shift));

test('logSoftmax / softmax: normalised, shift-invariant, -inf stays -inf', () => {
  close(softmax(logs([0.5, 0.3, 0, 0.2], 7)), [0.5, 0.3, 0, 0.2], 1e-12);
  close(logSoftmax([1000, 1000]), [-Math.LN2, -Math.LN2]);
  assert.throws(() => softmax([NEG, NEG]), /every entry is -Infinity/);
});

test('temperature divides; t <= 0 is refused; inputs are untouched', () => {
  const row = new Float64Array([1, 2, NEG, -4]);
  close(temperature(row, 2), [0.5, 1, NEG, -2]);
  close(temperature(row, 0.5), [2, 4, NEG, -8]);
  close(row, [1, 2, NEG, -4]);
  assert.throws(() => temperature(row, 0), /t must be/);
  assert.throws(() => temperature(row, -1), /t must be/);
});

test('topK keeps values >= the k-th largest, ties included', () => {
  const row = [3, 1, 3, 2];
  assert.deepEqual(kept(topK(row, 1)), [0, 2], 'k=1 with a tie keeps both 3s');
  assert.deepEqual(kept(topK(row, 2)), [0, 2], 'the 2nd largest (with repeats) is 3 too');
  assert.deepEqual(kept(topK(row, 3)), [0, 2, 3]);
  assert.deepEqual(kept(topK(row, 10)), [0, 1, 2, 3], 'k beyond V keeps all');
  close(topK(row, 3), [3, NEG, 3, 2]);
  assert.deepEqual(kept(topK([NEG, 1, 2], 5)), [1, 2], 'counts finite entries only');
  assert.throws(() => topK(row, 0), /k must be an integer >= 1/);
});

test('topP keeps the fewest most-probable ids reaching p; ties with the last one are kept', () => {
  const row = logs([0.5, 0.3, 0.2], 3);
  assert.deepEqual(kept(topP(row, 0.5)), [0], 'mass exactly p stops there');
  assert.deepEqual(kept(topP(row, 0.3)), [0], 'at least the top id');
  assert.deepEqual(kept(topP(row, 0.8)), [0, 1], 'exact boundary despite rounding');
  assert.deepEqual(kept(topP(row, 0.81)), [0, 1, 2]);
  assert.deepEqual(kept(topP(row, 1)), [0, 1, 2]);
  close(topP(row, 0.8), [row[0], row[1], NEG]);
  assert.deepEqual(kept(topP(logs([0.4, 0.3, 0.3]), 0.5)), [0, 1, 2], 'p reached inside a tie: the whole tie stays');
  assert.deepEqual(kept(topP(logs([0.3, 0.4, 0.3]), 0.4)), [1]);
  assert.deepEqual(kept(topP([Math.log(0.5), NEG, Math.log(0.5)], 0.1)), [0, 2], 'a tie at the top');
  assert.deepEqual(kept(topP([1, 1, 1, 1], 0.3)), [0, 1, 2, 3], 'uniform: all tied');
  assert.throws(() => topP(row, 0), /p must be in \(0, 1\]/);
  assert.throws(() => topP(row, 1.5), /p must be in/);
});

test('cfgCombine = uncond + alpha (cond - uncond); -inf propagates', () => {
  const cond = [1, 2, NEG, 0.5], uncond = [0, 4, 0, 0.5];
  close(cfgCombine(cond, uncond, 3), [3, -2, NEG, 0.5]);
  close(cfgCombine(cond, uncond, 1), cond);
  close(cfgCombine(cond, uncond, 0), [0, 4, NEG, 0.5]);
  close(cfgCombine(cond, uncond, 1.5), [1.5, 1, NEG, 0.5]);
  assert.throws(() => cfgCombine([1], [1, 2], 2), /rows of 1 and 2/);
});

test('CD-K: log p_exp - log p_ama on {p_exp >= alpha * k-th largest p_exp}', () => {
  const pe = [0.5, 0.25, 0.15, 0.1], expert = logs(pe, 7), amateur = logs([0.25, 0.25, 0.25, 0.25], -2);
  // k = 1 (Li et al.'s max): threshold 0.5 * 0.5 = 0.25 -> {0, 1}.
  close(contrastive(expert, amateur, { k: 1, alpha: 0.5 }), [Math.log(2), 0, NEG, NEG], 1e-12);
  // k = 2: threshold 0.5 * 0.25 = 0.125 -> {0, 1, 2}.
  close(contrastive(expert, amateur, { k: 2, alpha: 0.5 }), [Math.log(2), 0, Math.log(0.6), NEG], 1e-12);
  // k = 4, alpha 1: threshold = the 4th largest 0.1 -> all; alpha 0 -> all.
  close(contrastive(expert, amateur, { k: 4, alpha: 1 }), [Math.log(2), 0, Math.log(0.6), Math.log(0.4)], 1e-12);
  assert.deepEqual(kept(contrastive(expert, amateur, { k: 1, alpha: 0 })), [0, 1, 2, 3]);
  // k = 1, alpha = 1 is greedy-like: only the argmax survives (what CD-K's k avoids).
  assert.deepEqual(kept(contrastive(expert, amateur, { k: 1, alpha: 1 })), [0]);
  // A sharper amateur flips the preference: score rewards what the condition adds.
  const sharp = logs([0.7, 0.1, 0.1, 0.1]);
  const s = contrastive(expert, sharp, { k: 2, alpha: 0.5 });
  close(s, [Math.log(0.5 / 0.7), Math.log(2.5), Math.log(1.5), NEG], 1e-12);
  assert.equal(greedy(s), 1);
  // Ties at the k-th value; k beyond the finite count uses the smallest finite.
  assert.deepEqual(kept(contrastive(logs([0.4, 0.4, 0.2, 0]), logs([0.25, 0.25, 0.25, 0.25]), { k: 2, alpha: 0.9 })), [0, 1]);
  assert.deepEqual(kept(contrastive(logs([0.4, 0.4, 0.2, 0]), logs([0.25, 0.25, 0.25, 0.25]), { k: 9, alpha: 1 })), [0, 1, 2]);
  assert.throws(() => contrastive(expert, [0, NEG, 0, 0], { k: 2, alpha: 0.5 }), /-Infinity for the amateur/);
  assert.throws(() => contrastive(expert, amateur, { k: 0, alpha: 0.1 }), /k must be/);
  assert.throws(() => contrastive(expert, amateur, { k: 1, alpha: 2 }), /alpha must be in \[0, 1\]/);
});

test('allowOnly masks everything outside the ranges and ids', () => {
  const row = [0, 1, 2, 3, 4, 5];
  close(allowOnly(row, { ranges: [{ start: 1, end: 3 }], ids: [5] }), [NEG, 1, 2, NEG, NEG, 5]);
  close(allowOnly(row, { ids: [] }), [NEG, NEG, NEG, NEG, NEG, NEG]);
  close(allowOnly(row, new Uint8Array([1, 0, 0, 0, 0, 1])), [0, NEG, NEG, NEG, NEG, 5]);
  assert.throws(() => allowOnly(row, { ranges: [{ start: 4, end: 7 }] }), /outside \[0, 6\)/);
  assert.throws(() => allowOnly(row, { ids: [6] }), /id 6 outside/);
});

test('processor lists compose left to right', () => {
  const row = [1, 2, 3, 4];
  const out = applyAll(row, [proc.allowOnly({ ids: [0, 1, 2] }), proc.temperature(0.5), proc.topK(2)]);
  close(out, [NEG, 4, 6, NEG]);
  assert.deepEqual(kept(applyAll(logs([0.5, 0.3, 0.2]), [proc.topP(0.8)])), [0, 1]);
});

test('greedy: argmax, ties to the lowest id; sample: one draw per call, seeded, never a -inf id', () => {
  assert.equal(greedy([1, 3, 3, NEG]), 1);
  assert.equal(greedy([NEG, NEG, 0]), 2);
  assert.throws(() => greedy([NEG, NEG]), /every entry is -Infinity/);
  assert.throws(() => sample([NEG], new Rng(1)), /every entry is -Infinity/);

  // The drawn id is the first whose cumulative probability exceeds u (ids ascending).
  const row = logs([0.2, 0, 0.5, 0.3]), a = new Rng(42), b = new Rng(42);
  for (let i = 0; i < 50; i++) {
    const u = b.uniform(), want = u < 0.2 ? 0 : u < 0.7 ? 2 : 3;
    assert.equal(sample(row, a), want, `draw ${i} u=${u}`);
  }
  const counts = [0, 0, 0, 0], r = new Rng(7);
  for (let i = 0; i < 4000; i++) counts[sample(row, r)]++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[2] / 4000 - 0.5) < 0.03 && Math.abs(counts[0] / 4000 - 0.2) < 0.03, `${counts}`);
  const draws = (seed: number) => { const g = new Rng(seed); return Array.from({ length: 20 }, () => sample(row, g)); };
  assert.deepEqual(draws(5), draws(5));
  assert.notDeepEqual(draws(5), draws(6));
});
