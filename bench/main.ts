/**
 * bench/main.ts — `npm run bench -- <suite>`: engine (GEMM + training step vs peers), memory
 * (RSS over 10k steps), data (dataset build time), tokenizer (encode/decode images/s) or retrieval
 * (memory bank insert/index/search at the sizes given: `npm run bench -- retrieval 100000`) or webgpu
 * (WGSL GEMM vs PyTorch's fp32 GEMM on the same machine; `-- webgpu --quick`) or webgpu-step (a
 * training step resident on the GPU vs PyTorch eager on the same config). Run on an
 * idle machine: the numbers swing 2x under load.
 */

// Each suite loads only its own modules (the webgpu one runs where most dependencies are absent).
const args = process.argv.slice(3);
const suites: Record<string, () => Promise<void>> = {
  engine: async () => (await import('./engine.js')).runEngineBench(),
  memory: async () => { if (!(await import('./memory.js')).runMemoryBench()) process.exitCode = 1; },
  data: async () => (await import('./data.js')).runDataBench(),
  tokenizer: async () => (await import('./tokenizer.js')).runTokenizerBench(args),
  generate: async () => (await import('./generate.js')).runGenerateBench(args),
  retrieval: async () => (await import('./retrieval.js')).runRetrievalBench(args),
  webgpu: async () => (await import('./webgpu.js')).runWebGpuBench(args),
  'webgpu-step': async () => (await import('./webgpu_step.js')).runWebGpuStepBench(args),
};

const name = process.argv[2] ?? 'engine';
const suite = suites[name];
if (!suite) {
  console.error(`unknown bench suite "${name}" (choose: ${Object.keys(suites).join(', ')})`);
  process.exit(2);
}
await suite();
