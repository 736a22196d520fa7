/**
 * generate/generate.ts — the generation loop (paper §5): KV-cached incremental decoding of N
 * samples per prompt, classifier-free guidance and CD-K from ONE batch [cond; uncond], the
 * constraints of constraints.ts, and seeded determinism. No CLIP re-ranking here (caller's job).
 *
 * Rows: the prompts are prefilled once as [cond_0 … cond_P-1; uncond_0 … uncond_P-1] (left-padded,
 * session.ts), then forked with select() to [cond of every sample; uncond of every sample], sample
 * order (prompt, sample). Each step every live sample's id is fed to BOTH of its rows, so the
 * unconditional stream continues the same output. Finished samples are dropped with select().
 * The uncond half exists only when needed: cfg != 1 or some sample decodes with CD-K.
 *
 * Per step and sample: rule = constraint.next(tokens). force → the id (no draw); allow → both
 * rows' logits masked to the allowed ids, guided = uncond + cfg·(cond − uncond), the extra
 * processors, then the sample's decoder:
 *   greedy       argmax(guided)                           (no random draw)
 *   temperature  sample(topK?(guided / T))
 *   topp         sample(topP(topK?(guided / T)))
 *   cdk          sample(CD-K(expert = guided (or cond), amateur = uncond) / T_cdk)
 *   mix          the paper's ½ TopP + ½ CD-K: even sample indices topp, odd ones cdk
 * Seeding: sample s of a prompt draws from its own Rng(sampleSeed(seed, s)), one uniform per
 * sampled (not forced, not greedy) id. seed = the prompt's own seed ?? opts.seed; s counts from
 * opts.firstSample. So a sample depends only on (prompt, seed, s, settings) — not on N, on the
 * other prompts in the batch, or on how calls are split (n = 4 equals four calls with n = 1 and
 * firstSample 0..3).
 */
import type { CM3Leon } from '../model/cm3leon.js';
import { Rng } from '../tensor/index.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { untilEos, type Constraint, type Finish } from './constraints.js';
import {
  allowedMask, allowOnly, applyAll, cfgCombine, contrastive, temperature, topK, topP, type Allowed, type LogitsProcessor,
} from './logits.js';
import type { GenPrompt } from './prompts.js';
import { DecodeSession } from './session.js';
import { greedy, sample } from './select.js';

export type Decoder = 'greedy' | 'temperature' | 'topp' | 'cdk';
export type DecoderChoice = Decoder | 'mix';

export interface CdkSettings {
  /** Plausibility relative to the k-th largest expert probability ([INF]: the paper gives no value). */
  k: number;
  /** Plausibility threshold (Li et al. 2022: 0.1). */
  alpha: number;
  /** Temperature on the CD scores before sampling. */
  temperature: number;
  /** The expert: the CFG-guided row ("all strategies are paired with CFG"; = cond when cfg is 1) or cond alone. */
  expert: 'guided' | 'cond';
}

export interface GenerateOptions {
  vocab: Vocab;
  /** Samples per prompt (default 1). */
  n?: number;
  /** Default 'topp'. */
  decoder?: DecoderChoice;
  /** Default seed of every prompt (default 0); a GenPrompt's own `seed` wins. */
  seed?: number;
  /** Index of this call's first sample, for seeding and 'mix' (default 0). */
  firstSample?: number;
  /** CFG weight α_c; 1 = no guidance (default 1; the issue's CLI example uses 3). */
  cfg?: number;
  /** Default 1. */
  temperature?: number;
  /** Nucleus mass (default 0.9, Chameleon's default). */
  topP?: number;
  /** Top-k filter for 'temperature' and 'topp'; 0 = off (default). */
  topK?: number;
  cdk?: Partial<CdkSettings>;
  /** Applied to the guided row before the decoder's own processors. */
  processors?: readonly LogitsProcessor[];
  /** For prompts without their own constraint (default: untilEos). */
  constraint?: Constraint;
  /** Cap on generated ids per sample (default: the constraints' maxTokens, else the context). */
  maxNewTokens?: number;
  /** Codes per grid row for onRow (default sqrt(imageTokens)). */
  gridWidth?: number;
  onToken?: (e: TokenEvent) => void;
  /** Each time a run of image codes (from a generated image's start) completes a grid row. */
  onRow?: (e: RowEvent) => void;
}

export interface PromptInput extends GenPrompt {
  /** This prompt's seed (overrides opts.seed). */
  seed?: number;
}

export interface TokenEvent { promptIndex: number; sample: number; step: number; token: number; forced: boolean }
export interface RowEvent { promptIndex: number; sample: number; row: number; codes: number[] }

export interface SampleResult {
  promptIndex: number;
  /** Sample index (firstSample-based). */
  sample: number;
  /** The seed of this sample's Rng. */
  seed: number;
  decoder: Decoder;
  /** Generated ids (forced ones included, e.g. the closing <eos>). */
  tokens: number[];
  /** How many of them were forced by the constraint. */
  forced: number;
  /** Constraint stop, 'length' (maxNewTokens) or 'context' (the context length was reached). */
  finish: Finish | 'context';
}

export const CDK_DEFAULTS: Readonly<CdkSettings> = Object.freeze({ k: 10, alpha: 0.1, temperature: 1, expert: 'guided' });

/** murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The Rng seed of sample s under `seed` (both integers). */
export function sampleSeed(seed: number, s: number): number {
  if (!Number.isInteger(seed) || !Number.isInteger(s) || s < 0) throw new RangeError(`sampleSeed: needs integers seed and s >= 0, got ${seed}, ${s}`);
  return fmix32(fmix32(seed >>> 0) ^ fmix32((s + 0x9e3779b9) >>> 0));
}

/** The decoder of sample s ('mix': even s TopP, odd s CD-K). */
export function decoderFor(choice: DecoderChoice, s: number): Decoder {
  return choice === 'mix' ? (s % 2 === 0 ? 'topp' : 'cdk') : choice;
}

interface Live { res: SampleResult; rng: Rng; constraint: Constraint; prompt: readonly number[]; run: number }

/** Generate n samples for every prompt; returns results[prompt][sample]. Runs where the model lives (host or GPU). */
export async function generate(model: CM3Leon, prompts: readonly PromptInput[], opts: GenerateOptions): Promise<SampleResult[][]> {
  const { vocab } = opts, V = model.config.vocab, ctx = model.config.contextLength;
  const n = opts.n ?? 1, first = opts.firstSample ?? 0, choice = opts.decoder ?? 'topp', cfg = opts.cfg ?? 1;
  const T = opts.temperature ?? 1, P = opts.topP ?? 0.9, K = opts.topK ?? 0, cdk = { ...CDK_DEFAULTS, ...opts.cdk };
  if (vocab.size > V) throw new RangeError(`generate: the vocabulary has ${vocab.size} ids, the model ${V}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`generate: n must be an integer >= 1, got ${n}`);
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`generate: firstSample must be an integer >= 0, got ${first}`);
  if (!['greedy', 'temperature', 'topp', 'cdk', 'mix'].includes(choice)) throw new RangeError(`generate: unknown decoder "${choice}" (greedy, temperature, topp, cdk, mix)`);
  if (!Number.isFinite(cfg)) throw new RangeError(`generate: cfg must be finite, got ${cfg}`);
  if (!Number.isInteger(K) || K < 0) throw new RangeError(`generate: topK must be an integer >= 0, got ${K}`);
  if (prompts.length === 0) return [];
  const decoders = Array.from({ length: n }, (_, s) => decoderFor(choice, first + s));
  const guided = cfg !== 1, needUncond = guided || decoders.includes('cdk');
  prompts.forEach((p, i) => {
    p.ids.forEach((id, j) => { if (!vocab.isValid(id)) throw new RangeError(`generate: prompt ${i} position ${j} holds ${vocab.describe(id)}`); });
    p.uncond?.forEach((id, j) => { if (!vocab.isValid(id)) throw new RangeError(`generate: uncond prompt ${i} position ${j} holds ${vocab.describe(id)}`); });
    if (needUncond && !p.uncond?.length) {
      throw new RangeError(`generate: prompt ${i} has no unconditional prompt, which ${guided ? `cfg ${cfg}` : 'CD-K'} needs (HINT: cfg 1 and a decoder other than cdk/mix, or build it with prompts.ts)`);
    }
  });
  const constraints = prompts.map((p) => p.constraint ?? opts.constraint ?? untilEos(vocab));
  const streams = needUncond ? [...prompts.map((p) => p.ids), ...prompts.map((p) => p.uncond as readonly number[])] : prompts.map((p) => p.ids);
  const caps = prompts.map((p, i) => constraints[i].maxTokens ?? ctx - p.ids.length);
  const maxNew = opts.maxNewTokens ?? Math.max(1, ...caps.filter(Number.isFinite));
  if (!Number.isInteger(maxNew) || maxNew < 1) throw new RangeError(`generate: maxNewTokens must be an integer >= 1, got ${maxNew}`);
  const gw = opts.gridWidth ?? Math.round(Math.sqrt(vocab.imageTokens));

  const masks = new WeakMap<Allowed, Uint8Array>();
  const maskOf = (a: Allowed) => {
    let m = masks.get(a);
    if (!m) masks.set(a, (m = allowedMask(a, V)));
    return m;
  };
  const results = prompts.map((p, pi) => decoders.map((decoder, s): SampleResult => {
    const seed = sampleSeed(p.seed ?? opts.seed ?? 0, first + s);
    return { promptIndex: pi, sample: first + s, seed, decoder, tokens: [], forced: 0, finish: 'length' };
  }));
  let live: Live[] = results.flat().map((res) => ({
    res, rng: new Rng(res.seed), constraint: constraints[res.promptIndex], prompt: prompts[res.promptIndex].ids, run: 0,
  }));

  const session = await DecodeSession.open(model, streams, { maxNewTokens: maxNew, padId: vocab.pad });
  try {
    const Pn = prompts.length;
    const rowsOf = (ls: readonly { res: SampleResult }[]) => needUncond ? [...ls.map((l) => l.res.promptIndex), ...ls.map((l) => Pn + l.res.promptIndex)] : ls.map((l) => l.res.promptIndex);
    session.select(rowsOf(live));
    const choose = (l: Live, i: number, allowed: Allowed): number => {
      const m = maskOf(allowed), cond = allowOnly(session.logits(i), m);
      const unc = needUncond ? allowOnly(session.logits(live.length + i), m) : null;
      const row = applyAll(unc && guided ? cfgCombine(cond, unc, cfg) : cond, opts.processors ?? []);
      const filtered = (x: Float64Array) => (K > 0 ? topK(temperature(x, T), K) : temperature(x, T));
      switch (l.res.decoder) {
        case 'greedy': return greedy(row);
        case 'temperature': return sample(filtered(row), l.rng);
        case 'topp': return sample(topP(filtered(row), P), l.rng);
        case 'cdk': {
          const scores = contrastive(cdk.expert === 'cond' ? cond : row, unc as Float64Array, { k: cdk.k, alpha: cdk.alpha });
          return sample(temperature(scores, cdk.temperature), l.rng);
        }
      }
    };
    while (live.length > 0) {
      const keep: Live[] = [];
      live.forEach((l, i) => {
        const { res } = l, cx = { prompt: l.prompt, promptIndex: res.promptIndex, sample: res.sample };
        const rule = l.constraint.next(res.tokens, cx);
        if ('stop' in rule) { res.finish = rule.stop; return; }
        const forced = 'force' in rule, token = forced ? rule.force : choose(l, i, rule.allow);
        if (!vocab.isValid(token)) throw new RangeError(`generate: the constraint forced ${vocab.describe(token)}`);
        res.tokens.push(token);
        if (forced) res.forced++;
        opts.onToken?.({ promptIndex: res.promptIndex, sample: res.sample, step: res.tokens.length - 1, token, forced });
        l.run = vocab.isImage(token) ? l.run + 1 : 0;
        if (l.run > 0 && l.run % gw === 0 && opts.onRow) {
          opts.onRow({ promptIndex: res.promptIndex, sample: res.sample, row: l.run / gw - 1, codes: res.tokens.slice(-gw).map((id) => vocab.imageCode(id)) });
        }
        const after = l.constraint.next(res.tokens, cx);
        if ('stop' in after) { res.finish = after.stop; return; }
        if (res.tokens.length >= maxNew) { res.finish = 'length'; return; }
        if (session.positions[i] >= ctx || (needUncond && session.positions[live.length + i] >= ctx)) { res.finish = 'context'; return; }
        keep.push(l);
      });
      if (keep.length === 0) break;
      if (keep.length < live.length) {
        const idx = new Map(live.map((l, i) => [l, i]));
        session.select(needUncond
          ? [...keep.map((l) => idx.get(l) as number), ...keep.map((l) => live.length + (idx.get(l) as number))]
          : keep.map((l) => idx.get(l) as number));
        live = keep;
      }
      const ids = live.map((l) => l.res.tokens[l.res.tokens.length - 1]);
      await session.step(needUncond ? [...ids, ...ids] : ids);
    }
  } finally {
    session.dispose();
  }
  return results;
}
