/**
 * The generation loop on the tiny preset with random weights: [cond; uncond] batching equals
 * separate streams, the cached loop equals a from-scratch (full forward) reference for greedy,
 * TopP and CD-K, image-code constraints, seeding, infilling and batch invariance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textOnly, type Constraint } from '../../src/generate/constraints.js';
import { generate, sampleSeed, type Decoder, type SampleResult } from '../../src/generate/generate.js';
import { allowOnly, cfgCombine, contrastive, temperature, topP } from '../../src/generate/logits.js';
import {
  boxRegion, captioningPrompt, fillRegion, imageInfillPrompt, textToImagePrompt, type GenPrompt,
} from '../../src/generate/prompts.js';
import { greedy, sample } from '../../src/generate/select.js';
import { DecodeSession } from '../../src/generate/session.js';
import { noGrad, Rng, tensor } from '../../src/tensor/index.js';
import { cfg, randomModel, vocab } from '../helpers/tiny_generator.js';

const { eos, brk } = vocab, I = (c: number) => vocab.image(c);
const model = randomModel();
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]));
  return e;
};
/** Next-token logits after `seq` by the full (uncached) forward. */
const fullNext = (seq: readonly number[]) => noGrad(() => {
  const f = model.forward(tensor(seq, [1, seq.length], 'i32')).flat(), V = cfg.vocab;
  return Float64Array.from(f.subarray((seq.length - 1) * V));
});
const retrieved = [[3, 4, brk, ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(I)]];
const t2i = textToImagePrompt([7, 8, 9], vocab, { retrieved });
const tokensOf = (r: SampleResult[][]) => r.map((p) => p.map((s) => s.tokens));

test('CFG batch equivalence: [cond; uncond] in one left-padded batch = two separate streams', async () => {
  const cond = t2i.ids, uncond = t2i.uncond as number[];
  assert.ok(cond.length > uncond.length, 'the uncond row is left-padded');
  const both = await DecodeSession.open(model, [cond, uncond], { maxNewTokens: 8, padId: vocab.pad });
  const c = await DecodeSession.open(model, [cond], { maxNewTokens: 8 }), u = await DecodeSession.open(model, [uncond], { maxNewTokens: 8 });
  const check = (label: string) => {
    assert.ok(maxAbs(both.logits(0), c.logits(0)) < 1e-4, `${label}: cond`);
    assert.ok(maxAbs(both.logits(1), u.logits(0)) < 1e-4, `${label}: uncond`);
    assert.ok(maxAbs(cfgCombine(both.logits(0), both.logits(1), 3), cfgCombine(c.logits(0), u.logits(0), 3)) < 1e-3, `${label}: guided`);
  };
  check('prefill');
  assert.ok(maxAbs(c.logits(0), fullNext(cond)) < 1e-4, 'the cached prefill equals the full forward');
  const fed = [I(5), I(0), I(23), I(7)];
  for (const [j, id] of fed.entries()) { await both.step([id, id]); await c.step([id]); await u.step([id]); check(`step ${j}`); }
  assert.ok(maxAbs(u.logits(0), fullNext([...uncond, ...fed])) < 1e-4);
  both.select([0, 0, 1, 1]); // fork two samples of each stream: rows [c, c, u, u]
  await both.step([I(1), I(2), I(1), I(2)]);
  assert.ok(maxAbs(both.logits(1), fullNext([...cond, ...fed, I(2)])) < 1e-4);
  assert.ok(maxAbs(both.logits(2), fullNext([...uncond, ...fed, I(1)])) < 1e-4);
  for (const s of [both, c, u]) s.dispose();
});

/** The same decoding, but every logits row from a full forward of prompt + generated ids. */
function reference(p: GenPrompt, decoder: Decoder, seed: number, o: { cfg: number; topP: number; k: number; alpha: number }): number[] {
  const rng = new Rng(seed), gen: number[] = [], c = p.constraint as Constraint;
  for (;;) {
    const rule = c.next(gen, { prompt: p.ids, promptIndex: 0, sample: 0 });
    if ('stop' in rule) return gen;
    if ('force' in rule) { gen.push(rule.force); continue; }
    const cond = allowOnly(fullNext([...p.ids, ...gen]), rule.allow), unc = allowOnly(fullNext([...(p.uncond as number[]), ...gen]), rule.allow);
    const guided = cfgCombine(cond, unc, o.cfg);
    gen.push(decoder === 'greedy' ? greedy(guided)
      : decoder === 'topp' ? sample(topP(temperature(guided, 1), o.topP), rng)
        : sample(contrastive(guided, unc, { k: o.k, alpha: o.alpha }), rng));
  }
}

test('the cached, batched loop equals a from-scratch reference (greedy, TopP, CD-K with CFG 3)', async () => {
  const o = { cfg: 3, topP: 0.8, k: 3, alpha: 0.2 };
  const res = (await generate(model, [t2i], { vocab, n: 4, decoder: 'mix', cfg: 3, topP: 0.8, cdk: { k: 3, alpha: 0.2 }, seed: 11 }))[0];
  assert.deepEqual(res.map((r) => r.decoder), ['topp', 'cdk', 'topp', 'cdk'], 'mix: half TopP, half CD-K');
  res.forEach((r) => assert.deepEqual(r.tokens, reference(t2i, r.decoder, r.seed, o), `sample ${r.sample} (${r.decoder})`));
  const g = (await generate(model, [t2i], { vocab, decoder: 'greedy', cfg: 3 }))[0][0];
  assert.deepEqual(g.tokens, reference(t2i, 'greedy', 0, o));
  const plain = (await generate(model, [t2i], { vocab, decoder: 'greedy' }))[0][0];
  assert.notDeepEqual(plain.tokens, g.tokens, 'guidance changes the greedy image');
});

test('image constraint: exactly imageTokens codes in the image range, then <eos>; rows reported as they complete', async () => {
  const rows: string[] = [];
  let tokens = 0;
  const res = (await generate(model, [t2i], {
    vocab, n: 5, decoder: 'mix', cfg: 2.5, seed: 3,
    onToken: () => { tokens++; }, onRow: (e) => rows.push(`${e.sample}:${e.row}:${e.codes.join(',')}`),
  }))[0];
  for (const r of res) {
    assert.equal(r.tokens.length, vocab.imageTokens + 1);
    assert.ok(r.tokens.slice(0, 9).every((id) => vocab.isImage(id)), `${r.tokens}`);
    assert.equal(r.tokens[9], eos);
    assert.deepEqual([r.forced, r.finish], [1, 'complete']);
    for (let row = 0; row < 3; row++) {
      assert.ok(rows.includes(`${r.sample}:${row}:${r.tokens.slice(3 * row, 3 * row + 3).map((id) => vocab.imageCode(id)).join(',')}`));
    }
  }
  assert.equal(rows.length, 15);
  assert.equal(tokens, 50);
});

test('seeding: same seed → same ids; another seed → others; n samples = n single runs (firstSample); batch invariant', async () => {
  const opts = { vocab, n: 4, decoder: 'topp' as const, cfg: 3, seed: 21 };
  const a = await generate(model, [t2i], opts), b = await generate(model, [t2i], opts);
  assert.deepEqual(tokensOf(a), tokensOf(b));
  assert.notDeepEqual(tokensOf(await generate(model, [t2i], { ...opts, seed: 22 })), tokensOf(a));
  assert.equal(new Set(a[0].map((s) => s.tokens.join())).size, 4, 'the 4 samples differ');
  assert.deepEqual(a[0].map((s) => s.seed), [0, 1, 2, 3].map((s) => sampleSeed(21, s)));
  for (let s = 0; s < 4; s++) {
    assert.deepEqual((await generate(model, [t2i], { ...opts, n: 1, firstSample: s }))[0][0].tokens, a[0][s].tokens, `sample ${s} alone`);
  }
  // Another prompt (shorter, so the batch is left-padded; its own seed) does not change t2i's samples.
  const other = { ...textToImagePrompt([1], vocab), seed: 5 };
  const mixed = await generate(model, [other, t2i], opts);
  assert.deepEqual(tokensOf(mixed)[1], tokensOf(a)[0]);
  assert.deepEqual(tokensOf(mixed)[0], tokensOf(await generate(model, [other], { ...opts, seed: 99 }))[0], 'the prompt seed wins');
});

test('image infilling keeps every known code (cm3 spans and causal), with CFG', async () => {
  const img = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((c) => I(c + 10)), region = boxRegion({ width: 3, height: 3 }, { x: 1, y: 1, w: 2, h: 2 });
  for (const mode of ['cm3', 'causal'] as const) {
    const p = imageInfillPrompt(img, region, vocab, { caption: [7, 8], mode });
    const res = (await generate(model, [p], { vocab, n: 3, decoder: 'mix', cfg: 3, seed: 1 }))[0];
    for (const r of res) {
      assert.equal(r.finish, 'complete', mode);
      const out = fillRegion(img, region, r.tokens, vocab);
      out.forEach((id, i) => {
        assert.ok(vocab.isImage(id));
        if (!region[i]) assert.equal(id, img[i], `${mode}: cell ${i} is copied`);
      });
      if (mode === 'cm3') {
        assert.deepEqual(r.tokens.map((id) => (vocab.isImage(id) ? 'c' : vocab.describe(id))), ['c', 'c', '<mask:1>', 'c', 'c', '<eos>']);
        assert.equal(r.forced, 2);
      } else {
        assert.equal(r.forced, 5 + 1, 'five known codes and the <eos>');
      }
    }
  }
});

test('captioning: text only, until <eos> or maxTokens; mixed constraints in one batch equal separate runs', async () => {
  const img = [5, 6, 7, 8, 9, 10, 11, 12, 13].map(I);
  const cap = captioningPrompt(img, vocab, { maxTokens: 6, retrieved });
  const t2iPlain = { ids: t2i.ids, constraint: t2i.constraint };
  const opts = { vocab, n: 3, decoder: 'temperature' as const, temperature: 1.5, seed: 4 };
  const both = await generate(model, [cap, t2iPlain], opts);
  for (const r of both[0]) {
    assert.ok(r.tokens.length <= 7);
    r.tokens.forEach((id, i) => assert.ok(vocab.isText(id) || (id === eos && i === r.tokens.length - 1), `${r.tokens}`));
    assert.equal(r.finish, r.tokens[r.tokens.length - 1] === eos ? 'eos' : 'length');
  }
  assert.deepEqual(tokensOf(both)[0], tokensOf(await generate(model, [cap], opts))[0]);
  assert.deepEqual(tokensOf(both)[1], tokensOf(await generate(model, [t2iPlain], opts))[0]);
  // A processor favouring <eos>: samples end at different steps (rows are dropped as they finish).
  const eosy = { ...opts, n: 6, processors: [(row: Float64Array) => { const out = Float64Array.from(row); out[eos] += 2.5; return out; }] };
  const ended = await generate(model, [cap, t2iPlain], eosy);
  const lengths = ended[0].map((r) => r.tokens.length);
  assert.ok(ended[0].some((r) => r.finish === 'eos') && new Set(lengths).size > 1, `lengths ${lengths}`);
  assert.deepEqual(tokensOf(ended)[0], tokensOf(await generate(model, [cap], eosy))[0]);
  assert.ok(ended[1].every((r) => r.finish === 'complete' && r.tokens.length === 10));
  const short = (await generate(model, [{ ids: cap.ids, constraint: textOnly(vocab, { maxTokens: 2 }) }], { vocab, decoder: 'greedy' }))[0][0];
  assert.ok(short.tokens.length <= 3);
});

test('the context length ends a sample (finish "context") instead of overflowing', async () => {
  const ctx = cfg.contextLength, prompt = Array.from({ length: ctx - 4 }, (_, i) => i % 20);
  const free: Constraint = { next: () => ({ allow: { ranges: [vocab.text] } }) };
  const r = (await generate(model, [{ ids: prompt, constraint: free }], { vocab, maxNewTokens: 10, decoder: 'greedy' }))[0][0];
  assert.equal(r.finish, 'context');
  assert.equal(prompt.length + r.tokens.length, ctx + 1, 'the last id predicts position contextLength, like a training target');
  assert.equal((await generate(model, [{ ids: prompt, constraint: free }], { vocab, maxNewTokens: 2, decoder: 'greedy' }))[0][0].finish, 'length');
});

test('errors explain: guidance or CD-K without an uncond prompt, unknown decoders, bad prompts', async () => {
  const cap = captioningPrompt([1, 2, 3, 4, 5, 6, 7, 8, 9].map(I), vocab, { maxTokens: 3 });
  await assert.rejects(() => generate(model, [cap], { vocab, cfg: 3 }), /prompt 0 has no unconditional prompt, which cfg 3 needs \(HINT/);
  await assert.rejects(() => generate(model, [cap], { vocab, decoder: 'mix', n: 2 }), /which CD-K needs/);
  await assert.doesNotReject(() => generate(model, [cap], { vocab, decoder: 'mix', n: 1 }), 'sample 0 of mix is TopP');
  await assert.rejects(() => generate(model, [cap], { vocab, decoder: 'beam' as Decoder }), /unknown decoder "beam"/);
  await assert.rejects(() => generate(model, [{ ids: [64] }], { vocab }), /position 0 holds invalid id 64/);
  assert.deepEqual((await generate(model, [], { vocab })), []);
});
