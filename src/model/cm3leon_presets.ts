/**
 * model/cm3leon_presets.ts — named CM3Leon configs and their validated resolution from
 * `--preset NAME --set key=value` style overrides.
 *
 * Where the paper is silent (heads, FFN width, activation; spec §4 [UNCONF]) the paper shapes
 * follow OPT conventions [INF]: FFN 4d, 16 heads at d 1024/1536 and 32 at d 4096, ReLU.
 * `tiny` and `small` use GELU (what the engine's golden test and benchmark exercise; at this
 * scale it trains at least as well as ReLU for the same cost).
 *
 * `vocab` here is a placeholder: the trainer sets it from the tokenizers (ours: 4096 text + 4096
 * image codes + 20 specials <pad> <eos> <break> <infill> <mask:0..15> = 8212). The paper shapes use
 * the paper's 56,320 text + 8,192 image codes + our 20 specials = 64,532.
 */
import { resolvePreset } from '../config/config.js';
import { cm3leonParamCount, validateCM3LeonConfig, type CM3LeonConfig, type ParamCount } from './cm3leon_config.js';

/** Paper §4: std 0.006 weights (±3σ), 2e-4 positions, zero output layers. */
const paperInit = { initStd: 0.006, positionInitStd: 2e-4, zeroInitHead: true, seed: 1234 } as const;
const PAPER_VOCAB = 56_320 + 8_192 + 20;

/**
 * Parameter counts (cm3leonParamCount: 2Vd + Td + L(4d² + 2d·4d), untied head, no biases/norm params):
 *   tiny   V 64,    T 64,   d 32,   L 2:    0.031 M
 *   small  V 8212,  T 384,  d 256,  L 6:    9.02 M (blocks 4.72 M, embedding 2.10 M, head 2.10 M, positions 0.10 M)
 *   350m   V 64532, T 4096, d 1024, L 24:   438.3 M (blocks 302.0 M + 2 x 66.1 M vocab tables + 4.2 M positions)
 *   760m   d 1536, L 24:                     884.0 M (blocks 679.5 M + 2 x 99.1 M + 6.3 M)
 *   7b     d 4096, L 32:                    6.988 B (blocks 32 x 12 x 4096² = 6.442 B + 2 x 264.3 M + 16.8 M)
 * The names are the paper's: OPT-style counts tie the head to the token embedding and use a
 * 50k vocab, e.g. OPT-6.7B = 6.442 B blocks + 50,272 x 4096 (0.206 B) + 2048 x 4096 positions
 * ≈ 6.66 B (+ biases and LN ≈ 6.7 B). Our 7b tied would be 6.442 + 0.264 + 0.017 = 6.72 B; the
 * untied head adds another 0.264 B. Likewise 350m is 372 M tied (OPT-350m has extra 512-d
 * projections), 760m 785 M tied.
 *
 * Sizing of `small` (the shipped default, trained on 2 CPU cores in 1-3 hours): sequences are 4
 * retrieval-augmented documents of ~75 tokens (64 image tokens + caption + separators) ≈ 320
 * tokens, so contextLength 384. The engine benchmark (L 4, d 256, T 256, V 4096) costs ≈ 6 x 4.2 M
 * matmul params + attention ≈ 28 MFLOP/token and runs ≈ 7k tokens/s forward + backward + AdamW
 * here. L 6, d 256, T 384, V 8212 is ≈ 6 x (4.72 M blocks + 2.10 M head) + attention
 * 12 L T d ≈ 48 MFLOP/token, so ≈ 4k tokens/s: a batch of 8 x 384 tokens is < 1 s per step, and
 * 1-3 hours are 15-45 M tokens (2-5 tokens per parameter). d 256 with 4 heads keeps the
 * benchmark's head size 64. Measured (native backend, 8 x 384, while another training job shared
 * the 2 cores): 0.6-0.75x the benchmark's tokens/s in the same minute, i.e. ≈ 4-5k tokens/s
 * unloaded; the initial loss is ln 8212 = 9.013 (uniform logits from the zero head).
 */
export const CM3LEON_PRESETS: Record<string, CM3LeonConfig> = {
  tiny: { vocab: 64, contextLength: 64, dModel: 32, layers: 2, heads: 4, mlpHidden: 128, activation: 'gelu', ...paperInit },
  small: { vocab: 8212, contextLength: 384, dModel: 256, layers: 6, heads: 4, mlpHidden: 1024, activation: 'gelu', ...paperInit },
  '350m': { vocab: PAPER_VOCAB, contextLength: 4096, dModel: 1024, layers: 24, heads: 16, mlpHidden: 4096, activation: 'relu', ...paperInit },
  '760m': { vocab: PAPER_VOCAB, contextLength: 4096, dModel: 1536, layers: 24, heads: 16, mlpHidden: 6144, activation: 'relu', ...paperInit },
  '7b': { vocab: PAPER_VOCAB, contextLength: 4096, dModel: 4096, layers: 32, heads: 32, mlpHidden: 16384, activation: 'relu', ...paperInit },
};

/**
 * A preset with `key=value` overrides: unknown presets and keys are rejected with the valid
 * choices, wrong types and semantic errors (dModel % heads, sizes < 1, activation) are explained.
 */
export function resolveCM3LeonConfig(presetName: string, overrides: readonly string[] = []): CM3LeonConfig {
  return validateCM3LeonConfig(resolvePreset(CM3LEON_PRESETS, presetName, overrides, 'cm3leon'));
}

/** Parameter count of a named preset (computed, never instantiated). */
export function presetParamCount(name: string): ParamCount {
  return cm3leonParamCount(resolveCM3LeonConfig(name));
}
