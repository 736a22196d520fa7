/**
 * bench/retrieval.ts — `npm run bench -- retrieval [sizes...] [key=value...]` (default sizes 100000
 * 1000000; `key=value` overrides the index settings, e.g. `subvectorDims=16 minNprobes=30`): the memory
 * bank at each size with synthetic 256-d embeddings (our retriever's size) drawn from a mixture of
 * gaussian clusters — ANN recall on uniform random vectors says nothing about real embeddings.
 * Reports insert rows/s, compaction and index build time, disk size, reopen time, top-10 latency
 * p50/p99 over 500 queries with the bank's default index settings, recall@10 against brute-force
 * exact search in JS on 100 of them, and Lance's own flat search latency for reference.
 * Target: 1M documents, p50 < 10 ms at recall@10 >= 0.95 (stretch < 5 ms). Run on an idle machine.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOverrides } from '../src/config/config.js';
import { BANK_INDEX_DEFAULTS, type BankDocument, type BankIndexConfig, BankWriter, MemoryBank } from '../src/retrieval/bank.js';
import { type ClusterSpec, exactTopK, makeCentroids, recallAtK, sampleClustered } from '../src/retrieval/synthetic.js';
import { Rng } from '../src/tensor/index.js';
import { machine, table } from './util.js';

const DEFAULT_SIZES = [100_000, 1_000_000];
/** Our retriever's embedding size; cluster members at cosine ≈ 0.6 to each other, ≈ 0 to the rest. */
const DIM = 256;
const SPREAD = 0.8;
/**
 * Documents per cluster: enough that a query's true top-10 are its cluster-mates, as a caption's
 * nearest images share its concept. With fewer, the top-10 tail is a near-tie among unrelated,
 * nearly orthogonal vectors that no quantiser ranks (20k docs in 4096 clusters: recall@10 0.89).
 */
const DOCS_PER_CLUSTER = 250;
const MIN_CLUSTERS = 16, MAX_CLUSTERS = 4096;

function spec(n: number): ClusterSpec {
  return { dim: DIM, spread: SPREAD, clusters: Math.min(MAX_CLUSTERS, Math.max(MIN_CLUSTERS, Math.round(n / DOCS_PER_CLUSTER))) };
}
const K = 10;
const INSERT_BATCH = 10_000;
const QUERIES = 500;
const RECALL_QUERIES = 100;
const FLAT_QUERIES = 20;
/** Stand-in PNG bytes: search never reads the image column, so its size only moves disk size. */
const IMAGE = new Uint8Array(64);

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

function diskBytes(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((a, n) => a + diskBytes(join(path, n)), 0) : st.size;
}

function docs(vectors: Float32Array, first: number, n: number): BankDocument[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b${first + i}`, caption: `synthetic document ${first + i}`, image: IMAGE, codes: [], source: 'bench', licence: 'CC0-1.0',
    embedding: vectors.subarray((first + i) * DIM, (first + i + 1) * DIM),
  }));
}

const now = () => performance.now();
const log = (msg: string) => process.stderr.write(`  ${msg}\n`);

async function benchSize(n: number, dir: string, index: Partial<BankIndexConfig>): Promise<(string | number)[]> {
  const cluster = spec(n);
  const rng = new Rng(n);
  const centroids = makeCentroids(cluster, rng);
  const vectors = new Float32Array(n * DIM);
  const uri = join(dir, `bank-${n}`);
  const writer = await BankWriter.create(uri, { dim: DIM, embedder: 'bench-synthetic', index });
  let insertMs = 0;
  for (let i = 0; i < n; i += INSERT_BATCH) {
    const m = Math.min(INSERT_BATCH, n - i);
    vectors.set(sampleClustered(centroids, cluster, m, rng), i * DIM);
    const t0 = now();
    await writer.add(docs(vectors, i, m));
    insertMs += now() - t0;
  }
  log(`${n}: inserted in ${(insertMs / 1000).toFixed(1)} s; compacting and indexing`);
  const stage: Record<string, number> = {};
  await writer.finish((s, sec) => { stage[s] = sec; });

  let t0 = now();
  const bank = await MemoryBank.open(uri, { index });
  const reopenMs = now() - t0;
  try {
    const queries = sampleClustered(centroids, cluster, QUERIES, new Rng(n + 1));
    const query = (q: number) => queries.subarray(q * DIM, (q + 1) * DIM);
    t0 = now();
    await bank.search(query(0), K);
    const firstMs = now() - t0;
    const lat: number[] = [], found: string[][] = [];
    for (let q = 0; q < QUERIES; q++) {
      t0 = now();
      const hits = await bank.search(query(q), K);
      lat.push(now() - t0);
      if (q < RECALL_QUERIES) found.push(hits.map((h) => h.id));
    }
    const flat: number[] = [];
    for (let q = 0; q < FLAT_QUERIES; q++) {
      t0 = now();
      await bank.search(query(q), K, { exact: true });
      flat.push(now() - t0);
    }
    log(`${n}: ${QUERIES} queries done; exact top-${K} in JS for ${RECALL_QUERIES} of them`);
    const truth = exactTopK(vectors, queries.subarray(0, RECALL_QUERIES * DIM), DIM, K).map((r) => r.map((i) => `b${i}`));
    const info = bank.indexInfo();
    return [
      n.toLocaleString('en-US'), cluster.clusters, Math.round(n / (insertMs / 1000)), stage.compact.toFixed(1), stage.index.toFixed(1),
      (diskBytes(uri) / 2 ** 20).toFixed(0), reopenMs.toFixed(1), firstMs.toFixed(1),
      percentile(lat, 0.5).toFixed(2), percentile(lat, 0.99).toFixed(2), recallAtK(found, truth).toFixed(3),
      percentile(flat, 0.5).toFixed(1), info ? `IVF_PQ ${info.partitions}p, ${info.nprobes} probes, refine ×${info.refineFactor}` : 'none (exact)',
    ];
  } finally {
    bank.close();
  }
}

/** Arguments: sizes, and `key=value` overrides of the bank's index settings (BANK_INDEX_DEFAULTS). */
export async function runRetrievalBench(args: readonly string[]): Promise<void> {
  const overrides = args.filter((a) => a.includes('='));
  const index = parseOverrides({ ...BANK_INDEX_DEFAULTS }, overrides, 'bank index');
  const sizeArgs = args.filter((a) => !a.includes('='));
  const bad = sizeArgs.find((a) => !(Number.isInteger(Number(a)) && Number(a) >= 1));
  if (bad !== undefined) throw new Error(`retrieval bench sizes must be positive integers, got "${bad}"`);
  const sizes = sizeArgs.length > 0 ? sizeArgs.map(Number) : DEFAULT_SIZES;
  console.log(`# memory bank benchmark\n\nmachine: ${machine()}\n`);
  console.log(`${DIM}-d unit vectors from gaussian clusters of ~${DOCS_PER_CLUSTER} docs (spread ${SPREAD}); top-${K} over ` +
    `${QUERIES} held-out queries from the same mixture; recall@${K} vs exact (brute force) on ${RECALL_QUERIES}. ` +
    `Index settings: ${JSON.stringify(index)}\n`);
  const rows: (string | number)[][] = [['docs', 'clusters', 'insert rows/s', 'compact s', 'index s', 'disk MiB', 'reopen ms',
    'first query ms', 'p50 ms', 'p99 ms', `recall@${K}`, 'flat p50 ms', 'index']];
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bench-bank-'));
  try {
    for (const n of sizes) {
      rows.push(await benchSize(n, dir, index));
      rmSync(join(dir, `bank-${n}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(table(rows));
  console.log('\ntarget: 1,000,000 docs at p50 < 10 ms (stretch < 5 ms) with recall@10 >= 0.95');
}
