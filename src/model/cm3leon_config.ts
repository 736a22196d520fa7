/**
 * model/cm3leon_config.ts — the CM3Leon model config (paper §4), its semantic validation and the
 * parameter count computed from the config alone (so the paper-sized presets are never built).
 */
import { ConfigError } from '../config/config.js';
import type { Activation } from '../nn/transformer.js';

export interface CM3LeonConfig {
  /** Vocabulary size: text + image codes + specials (set from the tokenizers at train time). */
  vocab: number;
  /** Maximum sequence length (learned absolute positions 0 .. contextLength - 1). */
  contextLength: number;
  dModel: number;
  layers: number;
  heads: number;
  /** MLP hidden width (OPT: 4 * dModel). */
  mlpHidden: number;
  /** MLP nonlinearity; the paper is silent (OPT uses ReLU). */
  activation: Activation;
  /** Std of the truncated-normal (±3σ) init of every weight matrix and the token embeddings (paper: 0.006). */
  initStd: number;
  /** Std of the truncated-normal (±3σ) init of the learned position embeddings (paper: 2e-4). */
  positionInitStd: number;
  /**
   * Also initialise the LM head to zero. The paper's "output layers initialized to 0" certainly
   * covers the residual-branch output projections (attn.proj, mlp.proj of every block, always
   * zero here); a zero head additionally gives exactly uniform initial logits (loss = ln V).
   */
  zeroInitHead: boolean;
  seed: number;
}

const ACTIVATIONS: readonly Activation[] = ['gelu', 'relu'];

/** Semantic checks beyond key/type validation; throws ConfigError with the offending key. */
export function validateCM3LeonConfig(c: CM3LeonConfig): CM3LeonConfig {
  for (const k of ['vocab', 'contextLength', 'dModel', 'layers', 'heads', 'mlpHidden'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new ConfigError(`cm3leon config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dModel % c.heads !== 0) {
    throw new ConfigError(`cm3leon config: dModel ${c.dModel} is not divisible by heads ${c.heads} (head size must be an integer)`);
  }
  for (const k of ['initStd', 'positionInitStd'] as const) {
    if (!Number.isFinite(c[k]) || c[k] < 0) throw new ConfigError(`cm3leon config: ${k} must be a finite number >= 0, got ${c[k]}`);
  }
  if (!ACTIVATIONS.includes(c.activation)) {
    throw new ConfigError(`cm3leon config: activation must be one of ${ACTIVATIONS.join(', ')}, got "${c.activation}"`);
  }
  if (!Number.isInteger(c.seed)) throw new ConfigError(`cm3leon config: seed must be an integer, got ${c.seed}`);
  return c;
}

export interface ParamCount {
  /** Token embeddings V*d. */
  embedding: number;
  /** Position embeddings contextLength*d. */
  position: number;
  /** All blocks: layers * (4d² + 2*d*mlpHidden); no biases, no norm parameters. */
  blocks: number;
  /** Untied LM head d*V. */
  head: number;
  total: number;
  /** Total minus the token and position embedding tables (the untied LM head still counts). */
  nonEmbedding: number;
}

/** Exact parameter count of CM3Leon(c) without building it. */
export function cm3leonParamCount(c: CM3LeonConfig): ParamCount {
  const d = c.dModel;
  const embedding = c.vocab * d, position = c.contextLength * d, head = d * c.vocab;
  const blocks = c.layers * (4 * d * d + 2 * d * c.mlpHidden);
  const total = embedding + position + blocks + head;
  return { embedding, position, blocks, head, total, nonEmbedding: total - embedding - position };
}
