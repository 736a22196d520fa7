// dev/gpu_train/pack.mjs — export what the engine's trainers need from a dataset into a compact
// pack that can travel to a lent GPU machine (which has no LanceDB): raw 8-bit RGB images, xz-
// compressed, plus a JSON index (ids, concepts, captions and their token ids for the retriever).
// Run here, after `npm run build:ts`:
//   node dev/gpu_train/pack.mjs --data data/full --out .gpupack --what vq      (tokenizer: train w/o scenes + held-out style)
//   node dev/gpu_train/pack.mjs --data data/full --out .gpupack --what retriever (train pairs + held-out concepts)
// .gpupack/ must be ignored (.git/info/exclude) and carried; dev/gpu_train/run.sh reads it there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPairs, RETRIEVER_SPLITS } from '../../dist/src/retrieval/data.js';
import { defaultTextTokenizerPath } from '../../dist/src/tokenizer/defaults.js';
import { TextTokenizer } from '../../dist/src/tokenizer/text/index.js';

const { values: v } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, what: { type: 'string' }, size: { type: 'string' } } });
if (!v.data || !v.out || !['vq', 'retriever'].includes(v.what ?? '')) {
  console.error('usage: node dev/gpu_train/pack.mjs --data DIR --out DIR --what vq|retriever [--size 64]');
  process.exit(2);
}
const size = Number(v.size ?? 64);
const parts = v.what === 'vq'
  ? { train: "split = 'train' AND source != 'scene'", eval: RETRIEVER_SPLITS.heldoutStyle }
  : { train: RETRIEVER_SPLITS.train, eval: RETRIEVER_SPLITS.heldoutConcept };
mkdirSync(v.out, { recursive: true });
const index = { what: v.what, size, parts: {} };
// The GPU machine has no tokenizer package: captions travel with their ids (committed tokenizer).
const tok = v.what === 'retriever' ? TextTokenizer.fromJson(defaultTextTokenizerPath()) : null;
if (tok) Object.assign(index, { textVocab: tok.vocabSize, space: tok.encode(' ') });
for (const [name, where] of Object.entries(parts)) {
  const pairs = await loadPairs(v.data, where, size);
  const raw = join(v.out, `${v.what}_${name}.u8`);
  writeFileSync(raw, Buffer.concat(pairs.map((p) => Buffer.from(p.image))));
  execFileSync('xz', ['-9', '-T2', '-f', raw]);
  index.parts[name] = { count: pairs.length, file: `${v.what}_${name}.u8.xz`, ids: pairs.map((p) => p.id), concepts: pairs.map((p) => p.concept),
    captions: tok ? pairs.map((p) => p.captions) : undefined, captionIds: tok ? pairs.map((p) => p.captions.map((c) => tok.encode(c))) : undefined };
  console.log(`${name}: ${pairs.length} images`);
}
writeFileSync(join(v.out, `${v.what}.json`), JSON.stringify(index));
execFileSync('xz', ['-9', '-T2', '-f', join(v.out, `${v.what}.json`)]);
