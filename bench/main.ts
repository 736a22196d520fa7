/**
 * bench/main.ts — `npm run bench -- <suite>`: engine (GEMM + training step vs peers), memory
 * (RSS over 10k steps), data (dataset build time), tokenizer (encode/decode images/s) or retrieval
 * (memory bank insert/index/search at the sizes given: `npm run bench -- retrieval 100000`). Run on an
 * idle machine: the numbers swing 2x under load.
 */
import { runEngineBench } from './engine.js';
import { runDataBench } from './data.js';
import { runMemoryBench } from './memory.js';
import { runRetrievalBench } from './retrieval.js';
import { runTokenizerBench } from './tokenizer.js';
import { runGenerateBench } from './generate.js';

const suites: Record<string, () => void | Promise<void>> = {
  engine: runEngineBench,
  memory: () => { if (!runMemoryBench()) process.exitCode = 1; },
  data: runDataBench,
  tokenizer: runTokenizerBench,
  generate: runGenerateBench,
  retrieval: () => runRetrievalBench(process.argv.slice(3)),
};

const name = process.argv[2] ?? 'engine';
const suite = suites[name];
if (!suite) {
  console.error(`unknown bench suite "${name}" (choose: ${Object.keys(suites).join(', ')})`);
  process.exit(2);
}
await suite();
