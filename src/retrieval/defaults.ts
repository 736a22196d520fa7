/** retrieval/defaults.ts — where the committed retriever of the default model lives. */
import { join } from 'node:path';
import { projectRoot } from '../backend/native/binding.js';

export function defaultRetrieverPath(): string {
  return join(projectRoot(), 'models', 'retriever', 'retriever.safetensors');
}
