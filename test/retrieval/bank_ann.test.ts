/**
 * Memory bank, ANN path: above a (here lowered) threshold the bank builds an IVF_PQ index with the
 * dot distance, queries refine PQ candidates with full vectors (recall@10 ≥ 0.9 vs exact on
 * clustered data), additions are searchable at once and folded into the index, and the index is
 * retrained once the bank has doubled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BankDocument, BankWriter, MemoryBank } from '../../src/retrieval/bank.js';
import { indexShape, nprobesFor, bankIndexConfig } from '../../src/retrieval/bank_index.js';
import { exactTopK, recallAtK, sampleClustered } from '../../src/retrieval/synthetic.js';
import { Rng } from '../../src/tensor/index.js';
import { clusteredDocs, docsFrom } from '../helpers/bank_docs.js';

const spec = { dim: 32, clusters: 40, spread: 0.8 };
const N = 3000;
/** A small bank indexed like a big one: 10 partitions of ~300 rows, 3 probed, 4 PQ sub-vectors. */
const index = { exactThreshold: 1000, rowsPerPartition: 300, minNprobes: 3, probeFraction: 0.1, subvectorDims: 8 };
let dir = '';
let uri = '';
let data: ReturnType<typeof clusteredDocs>;
const stages: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cm3leon-bank-ann-'));
  uri = join(dir, 'bank');
  data = clusteredDocs(N, spec, 2);
  const w = await BankWriter.create(uri, { dim: spec.dim, embedder: 'clip-a', index });
  for (let i = 0; i < N; i += 1000) await w.add(data.docs.slice(i, i + 1000));
  assert.equal(w.count, N);
  await w.finish((stage, s) => { assert.ok(s >= 0); stages.push(stage); });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('index shape and probes follow the config', () => {
  const cfg = bankIndexConfig(index);
  assert.deepEqual(indexShape(N, 32, cfg), { partitions: 10, subVectors: 4 });
  assert.deepEqual(indexShape(1_000_000, 256, bankIndexConfig()), { partitions: 244, subVectors: 16 });
  assert.equal(indexShape(600, 32, cfg).partitions, 2, 'at most one partition per 256 training rows');
  assert.equal(nprobesFor(10, cfg), 3);
  assert.equal(nprobesFor(244, bankIndexConfig()), 20);
  assert.equal(nprobesFor(1000, bankIndexConfig()), 50);
  assert.equal(indexShape(N, 30, cfg).subVectors, 5, '6-d sub-vectors when 8 does not divide the dim');
  assert.equal(indexShape(N, 4, bankIndexConfig()).subVectors, 1);
});

test('a bank over the threshold has an IVF_PQ index and its refined search has recall@10 >= 0.9', async (t) => {
  assert.deepEqual(stages, ['compact', 'index', 'commit']);
  const bank = await MemoryBank.open(uri, { index });
  try {
    const info = bank.indexInfo();
    assert.ok(info, 'indexed');
    assert.deepEqual([info.trainedRows, info.partitions, info.nprobes, info.refineFactor], [N, 10, 3, 30]);
    const Q = 50;
    const queries = sampleClustered(data.centroids, spec, Q, new Rng(77));
    const truth = exactTopK(data.vectors, queries, spec.dim, 10).map((r) => r.map((i) => `doc${i}`));
    const ann: string[][] = [], flat: string[][] = [];
    for (let q = 0; q < Q; q++) {
      const v = queries.subarray(q * spec.dim, (q + 1) * spec.dim);
      ann.push((await bank.search(v, 10)).map((h) => h.id));
      flat.push((await bank.search(v, 10, { exact: true })).map((h) => h.id));
    }
    const recall = recallAtK(ann, truth);
    t.diagnostic(`recall@10 ${recall.toFixed(3)} (IVF_PQ, ${info.nprobes}/${info.partitions} partitions probed, refine ×${info.refineFactor})`);
    assert.ok(recall >= 0.9, `recall@10 ${recall}`);
    assert.equal(recallAtK(flat, truth), 1, 'exact: true is the ground truth');
  } finally { bank.close(); }
});

/** How many of `docs` are their own top hit (approximate search can miss an odd one). */
async function selfHits(bank: MemoryBank, docs: readonly BankDocument[]): Promise<number> {
  let n = 0;
  for (const d of docs) if ((await bank.search(d.embedding, 1))[0].id === d.id) n++;
  return n;
}

test('added documents are searchable at once, folded into the index, and the index is retrained when the bank doubles', async (t) => {
  const bank = await MemoryBank.open(uri, { index });
  try {
    const extra = docsFrom(sampleClustered(data.centroids, spec, 200, new Rng(8)), spec.dim, 'extra');
    assert.deepEqual(await bank.add(extra), { added: 200, index: 'updated' });
    const found = await selfHits(bank, extra.slice(0, 20));
    t.diagnostic(`added documents found as their own top hit: ${found}/20`);
    assert.ok(found >= 18, 'new documents are found');
    assert.equal(bank.indexInfo()?.trainedRows, N, 'same index, new rows added to it');
    const more = docsFrom(sampleClustered(data.centroids, spec, N, new Rng(9)), spec.dim, 'more');
    assert.deepEqual(await bank.add(more), { added: N, index: 'rebuilt' });
    assert.deepEqual([bank.indexInfo()?.trainedRows, bank.indexInfo()?.partitions], [2 * N + 200, 21]);
    const refound = await selfHits(bank, more.slice(0, 20));
    t.diagnostic(`after the rebuild: ${refound}/20`);
    assert.ok(refound >= 18, 'documents are found through the retrained index');
    assert.equal(await bank.count(), 2 * N + 200);
  } finally { bank.close(); }
  const reopened = await MemoryBank.open(uri, { index });
  assert.equal(reopened.indexInfo()?.trainedRows, 2 * N + 200, 'one index, found again on reopen');
  reopened.close();
});
