/**
 * cm3leon — the library entry: the tensor engine (tensors, autograd, ops), backend selection,
 * nn layers, optimizers, safetensors checkpoints, tokenizers, retrieval (retriever, memory bank,
 * policy), the CM3Leon model and its pretraining. The CLI and (later)
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
export { TextTokenizer, trainTextBpe } from './tokenizer/text/index.js';
export { ImageTokenizer } from './tokenizer/image/tokenizer.js';
export { IMAGE_TOKENIZER_PRESETS, type ImageTokenizerConfig } from './tokenizer/image/config.js';
export { defaultImageTokenizerPath, defaultTextTokenizerPath } from './tokenizer/defaults.js';
export { Retriever } from './retrieval/retriever.js';
export { RETRIEVER_PRESETS, RetrieverModel, type RetrieverConfig } from './retrieval/clip.js';
export { defaultRetrieverPath } from './retrieval/defaults.js';
export { MemoryBank, BankError, type BankDocument, type BankHit } from './retrieval/bank.js';
export { dropQueryTokens, RETRIEVAL_DEFAULTS, selectDocuments, type Candidate, type RetrievalConfig } from './retrieval/policy.js';
export { CM3Leon, type CM3LeonConfig } from './model/cm3leon.js';
export { CM3LEON_PRESETS, resolveCM3LeonConfig } from './model/cm3leon_presets.js';
export { KVCache } from './model/kv_cache.js';
export { cm3, uncm3, captionPrompt, CM3_DEFAULTS } from './model/cm3.js';
export { buildRaSequence, orderPair, pack } from './model/sequence.js';
export { trainLm, type LmTrainOptions } from './lm/train.js';
export { loadCorpus, prepareCorpus, saveCorpus, type Corpus } from './lm/corpus.js';
export * from './eval/index.js';
