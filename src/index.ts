/**
 * cm3leon — the library entry: the tensor engine (tensors, autograd, ops), backend selection,
 * nn layers, optimizers, safetensors checkpoints, model and config helpers. The CLI and (later)
 * the HTTP server call these same functions.
 */
export * from './tensor/index.js';
export { getBackend, setBackend, withBackend, type BackendName } from './backend/index.js';
export type { Backend } from './backend/backend.js';
export { Module, ModuleDict, parameter, releaseGrads } from './nn/module.js';
export { Embedding, LayerNorm, Linear, RMSNorm } from './nn/layers.js';
export { AdamW, type AdamWOpts } from './optim/adamw.js';
export { clipGradNorm } from './optim/clip.js';
export { learningRate, type ScheduleOpts } from './optim/schedule.js';
export * from './io/safetensors.js';
export { loadCheckpoint, saveCheckpoint, type SaveOpts } from './io/checkpoint.js';
export { GPT, type GPTConfig } from './model/gpt.js';
export { GPT_PRESETS } from './model/presets.js';
export { ConfigError, mergeConfig, parseOverrides, preset } from './config/config.js';
export { openDataset, DatasetWriter, type Dataset, type Manifest } from './data/store.js';
export { buildDataset, type BuildOptions } from './data/build.js';
export type { DataRecord, Source, SourceItem, Split } from './data/record.js';
export { Vocab, type VocabConfig } from './tokenizer/vocab.js';
export { decodeDocument, decodeSequence, encodeDocument, encodeSequence, DocumentError, type Document, type Segment } from './tokenizer/document.js';
