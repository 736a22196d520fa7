/**
 * Memory bank, exact path: round trip (create, add, search = true top-k on clustered data,
 * excludeIds, byIds, reopen) and the rejections (wrong dim, NaN, duplicate ids, embedder mismatch,
 * a folder that is not a bank).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BankWriter, MemoryBank } from '../../src/retrieval/bank.js';
import { bankIndexConfig } from '../../src/retrieval/bank_index.js';
import { exactTopK, makeCentroids, sampleClustered } from '../../src/retrieval/synthetic.js';
import { Rng } from '../../src/tensor/index.js';
import { clusteredDocs, docsFrom } from '../helpers/bank_docs.js';

const spec = { dim: 16, clusters: 8, spread: 0.8 };
const N = 300;
let dir = '';
let uri = '';
let data: ReturnType<typeof clusteredDocs>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cm3leon-bank-'));
  uri = join(dir, 'bank');
  data = clusteredDocs(N, spec, 1);
  const bank = await MemoryBank.create(uri, { dim: spec.dim, embedder: 'clip-a' });
  assert.equal(await bank.count(), 0);
  assert.deepEqual(await bank.add(data.docs.slice(0, 200)), { added: 200, index: 'exact' });
  await bank.add(data.docs.slice(200));
  bank.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('exact search returns the true top-k by inner product, best first, with exact scores', async () => {
  const bank = await MemoryBank.open(uri, { embedder: 'clip-a' });
  try {
    assert.equal(await bank.count(), N);
    assert.equal(bank.indexInfo(), null, 'below the threshold: no ANN index');
    const queries = sampleClustered(data.centroids, spec, 10, new Rng(99));
    const truth = exactTopK(data.vectors, queries, spec.dim, 5);
    for (let q = 0; q < 10; q++) {
      const query = queries.subarray(q * spec.dim, (q + 1) * spec.dim);
      const hits = await bank.search(query, 5);
      assert.deepEqual(hits.map((h) => h.id), truth[q].map((i) => `doc${i}`), `query ${q}`);
      for (const h of hits) {
        const i = Number(h.id.slice(3));
        let s = 0;
        for (let j = 0; j < spec.dim; j++) s += query[j] * data.vectors[i * spec.dim + j];
        assert.ok(Math.abs(h.score - s) < 1e-6, `${h.id}: score ${h.score} vs ${s}`);
        assert.deepEqual(h.embedding, data.vectors.slice(i * spec.dim, (i + 1) * spec.dim));
        assert.equal(h.caption, `caption of ${h.id}`);
      }
      assert.deepEqual((await bank.search(query, 5, { exact: true })).map((h) => h.id), hits.map((h) => h.id));
    }
  } finally { bank.close(); }
});

test('excludeIds removes documents (the query itself) and still returns k', async () => {
  const bank = await MemoryBank.open(uri);
  try {
    const self = data.docs[17];
    const top = await bank.search(self.embedding, 4);
    assert.equal(top[0].id, 'doc17', 'a document is its own best match');
    const rest = await bank.search(self.embedding, 4, { excludeIds: ['doc17', 'nonexistent'] });
    assert.deepEqual(rest.map((h) => h.id), (await bank.search(self.embedding, 5)).slice(1).map((h) => h.id));
    assert.deepEqual(await bank.search(self.embedding, 0), []);
  } finally { bank.close(); }
});

test('byIds returns whole documents in the order asked; missing ids are named', async () => {
  const bank = await MemoryBank.open(uri);
  try {
    const got = await bank.byIds(['doc5', 'doc0', 'doc299']);
    assert.deepEqual(got.map((d) => d.id), ['doc5', 'doc0', 'doc299']);
    for (const d of got) {
      const want = data.docs[Number(d.id.slice(3))];
      assert.deepEqual([d.caption, d.source, d.licence], [want.caption, want.source, want.licence]);
      assert.deepEqual(d.image, want.image);
      assert.deepEqual(Array.from(d.codes), Array.from(want.codes));
      assert.deepEqual(d.embedding, Float32Array.from(want.embedding));
    }
    assert.equal(got[1].codes.length, 0, 'empty codes survive');
    await assert.rejects(bank.byIds(['doc1', 'nope', "it's"]), /not in the memory bank: "nope", "it's"/);
  } finally { bank.close(); }
});

test('bad documents are rejected with the offending value named, and nothing is written', async () => {
  const bank = await MemoryBank.open(uri);
  try {
    const fresh = docsFrom(sampleClustered(data.centroids, spec, 3, new Rng(5)), spec.dim, 'new');
    const nan = { ...fresh[1], embedding: Float32Array.from(fresh[1].embedding, (x, i) => (i === 3 ? Number.NaN : x)) };
    await assert.rejects(bank.add([fresh[0], nan]), /document 1 \("new1"\): embedding\[3\] is NaN/);
    await assert.rejects(bank.add([{ ...fresh[0], embedding: new Float32Array(8) }]), /"new0"\): embedding has 8 values but the bank's dim is 16/);
    await assert.rejects(bank.add([fresh[0], fresh[1], { ...fresh[2], id: 'new0' }]), /duplicate id "new0" in this batch \(documents 0 and 2\)/);
    await assert.rejects(bank.add([fresh[0], { ...fresh[1], id: 'doc3' }]), /ids already in the memory bank: "doc3"/);
    await assert.rejects(bank.add([{ ...fresh[0], codes: [1, 2.5] }]), /codes\[1\] = 2.5 is not an int32/);
    await assert.rejects(bank.add([{ ...fresh[0], id: '' }]), /id must be a non-empty string/);
    await assert.rejects(bank.search(new Float32Array(15), 3), /query has 15 values but the bank's dim is 16/);
    await assert.rejects(bank.search(new Float32Array(16).fill(Number.POSITIVE_INFINITY), 3), /query\[0\] is Infinity/);
    assert.equal(await bank.count(), N);
  } finally { bank.close(); }
});

test('reopening finds the same bank; its manifest names dim and embedder; another embedder is refused', async () => {
  const manifest = JSON.parse(readFileSync(join(uri, 'manifest.json'), 'utf8'));
  assert.deepEqual([manifest.format, manifest.dim, manifest.embedder], ['cm3leon-bank-v1', 16, 'clip-a']);
  await assert.rejects(MemoryBank.open(uri, { embedder: 'clip-b' }),
    /built with embedder "clip-a" but the queries come from "clip-b".*rebuild the bank/);
  const bank = await MemoryBank.open(`file://${uri}`, { embedder: 'clip-a' });
  assert.deepEqual([bank.dim, bank.manifest.embedder, await bank.count()], [16, 'clip-a', N]);
  bank.close();
  await assert.rejects(bank.search(data.docs[0].embedding, 1), /is closed/);
});

test('create validates its options; open and create refuse folders that are not banks', async () => {
  await assert.rejects(MemoryBank.create(join(dir, 'x'), { dim: 0, embedder: 'e' }), /dim must be a positive integer, got 0/);
  await assert.rejects(MemoryBank.create(join(dir, 'x'), { dim: 4, embedder: ' ' }), /embedder must be a non-empty string/);
  await assert.rejects(MemoryBank.create(join(dir, 'x'), { dim: 4, embedder: 'e', index: { refineFactor: 0 } }), /"refineFactor" must be a positive integer, got 0/);
  assert.throws(() => bankIndexConfig({ refine: 3 }), /unknown bank index key "refine" \(valid keys: exactThreshold/);
  assert.throws(() => bankIndexConfig({ probeFraction: 2 }), /"probeFraction" must be in \(0, 1\], got 2/);
  await assert.rejects(MemoryBank.open(join(dir, 'missing')), /no memory bank at .*missing/);
  const other = join(dir, 'notes');
  mkdirSync(other);
  writeFileSync(join(other, 'keep.txt'), 'mine');
  await assert.rejects(MemoryBank.create(other, { dim: 4, embedder: 'e' }), /exists and is not a cm3leon memory bank; refusing/);
  assert.ok(existsSync(join(other, 'keep.txt')), 'nothing deleted');
  await assert.rejects(MemoryBank.open(other), /is not a cm3leon memory bank \(no "documents" table\)/);
});

test('create replaces an existing bank atomically and leaves no temporary folders', async () => {
  const target = join(dir, 'replace');
  const first = await MemoryBank.create(target, { dim: 4, embedder: 'e1' });
  await first.add(docsFrom(makeCentroids({ dim: 4, clusters: 3, spread: 0 }, new Rng(1)), 4));
  first.close();
  (await MemoryBank.create(target, { dim: 8, embedder: 'e2' })).close();
  const again = await MemoryBank.open(target);
  assert.deepEqual([again.dim, again.manifest.embedder, await again.count()], [8, 'e2', 0]);
  again.close();
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.replace.')), []);
});

test('a URI bank (object-store code path, no renames) is complete only once finished and is never replaced', async () => {
  // Lance's `file-object-store://` scheme runs the object-store code path on a local folder.
  const remote = `file-object-store://${join(dir, 'remote')}`;
  const unfinished = await BankWriter.create(remote, { dim: spec.dim, embedder: 'clip-a' });
  await unfinished.add(data.docs.slice(0, 10));
  unfinished.abort();
  await assert.rejects(MemoryBank.open(remote), /is not a complete cm3leon memory bank \(no manifest\): an interrupted build\?/);
  const w = await BankWriter.create(remote, { dim: spec.dim, embedder: 'clip-a' });  // takes over the unfinished one
  await w.add(data.docs.slice(0, 20));
  await w.finish();
  const bank = await MemoryBank.open(remote, { embedder: 'clip-a' });
  assert.equal(await bank.count(), 20);
  assert.equal((await bank.search(data.docs[3].embedding, 1))[0].id, 'doc3');
  bank.close();
  await assert.rejects(BankWriter.create(remote, { dim: spec.dim, embedder: 'clip-a' }), /already holds a memory bank; object stores have no atomic rename/);
});
