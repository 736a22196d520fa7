/**
 * The generation tests' model: the tiny CM3Leon preset with every parameter random (the paper
 * init's zero head would make all logits uniform) over a 64-id vocabulary with a 3x3 image grid.
 */
import { CM3Leon } from '../../src/model/cm3leon.js';
import { resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { copyStorage, Rng } from '../../src/tensor/index.js';
import { TINY_VOCAB, Vocab } from '../../src/tokenizer/vocab.js';

export const vocab = new Vocab(TINY_VOCAB);
export const cfg = resolveCM3LeonConfig('tiny', ['seed=7']);

/** Random host values for every parameter of m (which may live on a GPU: values are copied in). */
export function randomize(m: CM3Leon, seed = 3): CM3Leon {
  const rng = new Rng(seed);
  for (const p of m.parameters()) {
    const v = new Float32Array(p.size);
    for (let i = 0; i < v.length; i++) v[i] = 0.25 * rng.normal();
    copyStorage(p.storage(), v);
  }
  return m;
}

export function randomModel(seed = 3): CM3Leon {
  return randomize(new CM3Leon(cfg), seed);
}
