/**
 * Retrieval policy: the score threshold, dedup, self-exclusion, train sampling (deterministic by
 * seed, different across seeds), infer = top k, query-token dropout, and config validation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Candidate, dropQueryTokens, RETRIEVAL_DEFAULTS, retrievalConfig, selectDocuments } from '../../src/retrieval/policy.js';
import { Rng } from '../../src/tensor/index.js';

/** Unit vector along axis i of a small space: candidates on different axes are orthogonal. */
function axis(i: number, dim = 16): Float32Array {
  const v = new Float32Array(dim);
  v[i] = 1;
  return v;
}

function cand(id: string, score: number, embedding = axis(Number(id.replace(/\D/g, '')) % 16)): Candidate {
  return { id, score, embedding };
}

const ids = (cs: readonly Candidate[]) => cs.map((c) => c.id);
/** Ten orthogonal candidates scoring 0.85, 0.80, …, 0.40. */
const ten = Array.from({ length: 10 }, (_, i) => cand(`d${i}`, 0.85 - 0.05 * i));

test('defaults follow the paper and validation rejects unknown keys and bad values', () => {
  assert.deepEqual({ ...RETRIEVAL_DEFAULTS }, { mode: 'train', k: 3, pool: 10, maxScore: 0.9, dedup: 0.95, queryDropout: 0.2 });
  assert.deepEqual(retrievalConfig({ k: 2, mode: 'infer' }), { ...RETRIEVAL_DEFAULTS, k: 2, mode: 'infer' });
  assert.throws(() => retrievalConfig({ topk: 3 }), /unknown retrieval key "topk" \(valid keys: mode, k, pool/);
  assert.throws(() => retrievalConfig({ k: '3' }), /"k" must be a number, got "3"/);
  assert.throws(() => retrievalConfig({ k: -1 }), /"k" must be an integer >= 0, got -1/);
  assert.throws(() => retrievalConfig({ k: 1.5 }), /"k" must be an integer >= 0, got 1.5/);
  assert.throws(() => retrievalConfig({ k: 5, pool: 4 }), /"pool" must be an integer >= k \(5\), got 4/);
  assert.throws(() => retrievalConfig({ mode: 'eval' }), /"mode" must be one of train, infer, got "eval"/);
  assert.throws(() => retrievalConfig({ queryDropout: 1 }), /"queryDropout" must be in \[0, 1\), got 1/);
  assert.throws(() => retrievalConfig({ maxScore: Number.NaN }), /must be finite/);
  assert.throws(() => selectDocuments(ten, { mode: 'train' }), /train mode samples at random: pass rng/);
  assert.throws(() => selectDocuments([cand('d0', Number.NaN)], { mode: 'infer' }), /candidate "d0" has score NaN/);
});

test('infer mode returns the top k by score, best first; k = 0 returns nothing', () => {
  const shuffled = [ten[4], ten[0], ten[7], ten[2], ten[1]];
  assert.deepEqual(ids(selectDocuments(shuffled, { mode: 'infer', k: 2 })), ['d0', 'd1']);
  assert.deepEqual(ids(selectDocuments(ten, { mode: 'infer', k: 0 })), []);
  assert.deepEqual(ids(selectDocuments(ten.slice(0, 2), { mode: 'infer', k: 5 })), ['d0', 'd1'], 'fewer survivors than k');
});

test('candidates scoring above maxScore (near-copies of the query) are skipped; exactly maxScore is kept', () => {
  const cs = [cand('d0', 0.99), cand('d1', 0.91), cand('d2', 0.9), cand('d3', 0.5), cand('d4', 0.2)];
  assert.deepEqual(ids(selectDocuments(cs, { mode: 'infer', k: 2 })), ['d2', 'd3']);
  assert.deepEqual(ids(selectDocuments(cs, { mode: 'infer', k: 2, maxScore: 0.95 })), ['d1', 'd2']);
});

test('a candidate nearly identical to one already chosen is skipped (dedup on embedding inner product)', () => {
  const near = Float32Array.from(axis(0), (x, i) => (i === 1 ? 0.25 : x));  // inner product with axis 0: 1 / |v| ≈ 0.970
  const norm = Math.hypot(...near);
  const nearUnit = near.map((x) => x / norm);
  const cs = [cand('d0', 0.8, axis(0)), cand('dup', 0.79, axis(0)), cand('near', 0.78, nearUnit), cand('d5', 0.7, axis(5))];
  assert.deepEqual(ids(selectDocuments(cs, { mode: 'infer', k: 2 })), ['d0', 'd5']);
  assert.deepEqual(ids(selectDocuments(cs, { mode: 'infer', k: 2, dedup: 0.98 })), ['d0', 'near'], '0.970 is under a 0.98 dedup');
  assert.deepEqual(ids(selectDocuments([cs[0], cand('d0', 0.6, axis(9))], { mode: 'infer', k: 2 })), ['d0'], 'a repeated id counts once');
});

test('the query document itself is never returned (excludeIds), in either mode', () => {
  assert.deepEqual(ids(selectDocuments(ten, { mode: 'infer', k: 3, excludeIds: ['d0', 'd2'] })), ['d1', 'd3', 'd4']);
  for (let seed = 0; seed < 20; seed++) {
    const got = selectDocuments(ten, { k: 3, pool: 4, excludeIds: ['d1'], rng: new Rng(seed) });
    assert.ok(!ids(got).includes('d1'));
    assert.ok(ids(got).every((id) => ['d0', 'd2', 'd3', 'd4'].includes(id)), `seed ${seed}: ${ids(got)}`);
  }
});

test('train mode samples k distinct survivors from the top pool, fixed by the seed and varying across seeds', () => {
  const pick = (seed: number) => ids(selectDocuments(ten, { k: 3, pool: 6, rng: new Rng(seed) }));
  assert.deepEqual(pick(7), pick(7));
  const seen = new Map<string, number>();
  const draws = new Set<string>();
  for (let seed = 0; seed < 300; seed++) {
    const got = pick(seed);
    assert.equal(new Set(got).size, 3, `seed ${seed}: distinct`);
    const scores = got.map((id) => ten.find((c) => c.id === id)!.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'returned best score first');
    for (const id of got) seen.set(id, (seen.get(id) ?? 0) + 1);
    draws.add(got.join(','));
  }
  assert.deepEqual([...seen.keys()].sort(), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'], 'only the top 6, and each of them');
  for (const [id, n] of seen) assert.ok(n > 100 && n < 200, `${id} chosen ${n}/300 times (uniform: 150)`);
  assert.ok(draws.size >= 15, `${draws.size} distinct draws across seeds`);
  assert.deepEqual(ids(selectDocuments(ten.slice(0, 2), { k: 3, rng: new Rng(1) })), ['d0', 'd1'], 'all survivors when fewer than k');
});

test('query dropout is fixed by the seed, drops about `rate` of the tokens in order, and never drops them all', () => {
  const tokens = Array.from({ length: 10_000 }, (_, i) => i);
  const a = dropQueryTokens(tokens, 0.2, new Rng(3));
  assert.deepEqual(a, dropQueryTokens(tokens, 0.2, new Rng(3)));
  assert.notDeepEqual(a, dropQueryTokens(tokens, 0.2, new Rng(4)));
  assert.ok(Math.abs(a.length / tokens.length - 0.8) < 0.02, `kept ${a.length}`);
  assert.ok(a.every((t, i) => i === 0 || t > a[i - 1]), 'order kept');
  assert.deepEqual(dropQueryTokens([5, 6, 7], 0, new Rng(0)), [5, 6, 7], 'rate 0 is the identity');
  assert.deepEqual(dropQueryTokens([], 0.2, new Rng(0)), []);
  assert.equal(dropQueryTokens([5, 6, 7], undefined, new Rng(0)).length <= 3, true, 'default rate');
  for (let seed = 0; seed < 50; seed++) {
    const kept = dropQueryTokens([5, 6, 7], 0.99, new Rng(seed));
    assert.ok(kept.length >= 1 && kept.every((t) => [5, 6, 7].includes(t)), `seed ${seed}: ${kept}`);
  }
  assert.throws(() => dropQueryTokens([1], 1, new Rng(0)), /dropQueryTokens rate must be in \[0, 1\), got 1/);
  assert.throws(() => dropQueryTokens([1], -0.1, new Rng(0)), /got -0.1/);
  assert.throws(() => dropQueryTokens([1], Number.NaN, new Rng(0)), /got NaN/);
});
