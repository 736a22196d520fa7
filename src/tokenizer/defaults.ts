/**
 * tokenizer/defaults.ts — where the committed models (tokenizers, LM) and the default bank live (inside the
 * package, so `npx cm3leon` finds them with no set-up). Reproduce them with the commands in
 * docs/tokenizer.md.
 */
import { join } from 'node:path';
import { projectRoot } from '../backend/native/binding.js';

export function defaultTextTokenizerPath(): string {
  return join(projectRoot(), 'models', 'tokenizer', 'text.json');
}

export function defaultImageTokenizerPath(): string {
  return join(projectRoot(), 'models', 'tokenizer', 'vq64.safetensors');
}

/** The shipped CM3Leon `small` weights (`cm3leon export` of the training run). */
export function defaultLmPath(): string {
  return join(projectRoot(), 'models', 'lm', 'cm3leon-small.safetensors');
}

/** Where `cm3leon bank build` puts the default memory bank (not committed: built from the data). */
export function defaultBankPath(): string {
  return join(projectRoot(), 'data', 'bank');
}
