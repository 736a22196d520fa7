/**
 * tokenizer/defaults.ts — where the committed tokenizers of the default model live (inside the
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
