/**
 * generate/index.ts — decoding for CM3Leon (paper §5): logits processors, selectors, the
 * mixed-modal constraints, task prompt layouts, the batched KV-cached session and `generate`.
 */
export * from './logits.js';
export * from './select.js';
export * from './constraints.js';
export * from './prompts.js';
export { DecodeSession, type SessionOptions } from './session.js';
export * from './generate.js';
