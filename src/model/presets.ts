/**
 * model/presets.ts — named GPT configurations: `golden` (the PyTorch fixture model), `bench`
 * (the engine benchmark step) and `demo` (the quick-start character model).
 */
import type { GPTConfig } from './gpt.js';

const base = { bias: true, affineNorm: true, initStd: 0.02, seed: 1234 };

export const GPT_PRESETS: Record<string, GPTConfig> = {
  golden: { ...base, vocab: 97, seq: 16, dModel: 64, layers: 2, heads: 4, mlpHidden: 256 },
  demo: { ...base, vocab: 256, seq: 128, dModel: 128, layers: 4, heads: 4, mlpHidden: 512 },
  bench: { ...base, vocab: 4096, seq: 256, dModel: 256, layers: 4, heads: 4, mlpHidden: 1024 },
};
