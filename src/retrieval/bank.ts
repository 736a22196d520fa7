/**
 * retrieval/bank.ts — the multimodal memory bank: image–text documents with their retriever
 * embeddings in one LanceDB table, searched by inner product (maximum inner product search, as in
 * the paper §3). Exact search below `exactThreshold` rows, IVF_PQ + full-vector refine above it
 * (bank_index.ts). Local folder by default; any LanceDB URI (s3://, gs://, az://) with
 * `storageOptions` works the same (bank_writer.ts).
 *
 * Layout: `<bank>/documents.lance/` (the table), `<bank>/manifest.json` (a readable copy of the
 * manifest: format, dim, embedder; the table's `embedding` field metadata holds the copy that
 * `open` reads, so remote banks carry it too).
 *
 * One writer at a time: id uniqueness is checked before each add, not enforced by Lance.
 */
import { existsSync } from 'node:fs';
import { dot } from './metrics.js';
import type * as lancedb from '@lancedb/lancedb';
import { type BankIndexConfig, bankIndexConfig, type IndexAction, type IndexState, maintainIndex, nprobesFor, readIndexState } from './bank_index.js';
import {
  BankError,
  type BankDocument, type BankManifest, documentsToArrow, DOCUMENTS_TABLE, EMBEDDING_COLUMN, floats, parseManifest, type Row,
  rowToDocument, sqlString, type StoredDocument, validateDocuments,
} from './bank_schema.js';
import { type BankCreateOptions, type BankLocationOptions, BankWriter, connectBank, isLocalUri, localPath, manifestJson, recoverLocal } from './bank_writer.js';

export interface BankOpenOptions extends BankLocationOptions {
  /** The retriever the caller embeds with; opening a bank built by another one throws. */
  embedder?: string;
}

export interface SearchOptions {
  /** Never return these ids (e.g. the query document itself at training time). */
  excludeIds?: Iterable<string>;
  /** Flat scan even when the bank has an ANN index (ground truth, small banks). */
  exact?: boolean;
}

export interface BankHit {
  id: string;
  caption: string;
  source: string;
  licence: string;
  /** Inner product of the query and the document embedding. */
  score: number;
  embedding: Float32Array;
}

export interface BankIndexInfo extends IndexState {
  nprobes: number;
  refineFactor: number;
}

/** Ids per `id IN (...)` filter. */
const ID_QUERY_CHUNK = 1000;
/** `_distance` (1 − score for 'dot') is selected explicitly: Lance warns when a vector search leaves it out. */
const SEARCH_COLUMNS = ['id', 'caption', 'source', 'licence', EMBEDDING_COLUMN, '_distance'];

export class MemoryBank {
  private closed = false;

  private constructor(readonly uri: string, readonly manifest: BankManifest, private readonly db: lancedb.Connection,
    private readonly table: lancedb.Table, private readonly cfg: BankIndexConfig, private index: IndexState | null) {}

  /** A new, empty bank at `uri` (replacing a bank already there, atomically for local folders). */
  static async create(uri: string, opts: BankCreateOptions): Promise<MemoryBank> {
    await (await BankWriter.create(uri, opts)).finish();
    return MemoryBank.open(uri, opts);
  }

  static async open(uri: string, opts: BankOpenOptions = {}): Promise<MemoryBank> {
    const cfg = bankIndexConfig(opts.index);
    if (isLocalUri(uri)) {
      recoverLocal(localPath(uri));
      if (!existsSync(localPath(uri))) throw new BankError(`no memory bank at ${localPath(uri)}. HINT: build one with \`cm3leon bank build\``);
    }
    const db = await connectBank(uri, opts.storageOptions);
    if (!(await db.tableNames()).includes(DOCUMENTS_TABLE)) {
      db.close();
      throw new BankError(`${uri} is not a cm3leon memory bank (no "${DOCUMENTS_TABLE}" table)`);
    }
    const table = await db.openTable(DOCUMENTS_TABLE);
    try {
      const manifest = parseManifest(await manifestJson(table), uri);
      const bank = new MemoryBank(uri, manifest, db, table, cfg, await readIndexState(table));
      if (opts.embedder !== undefined) bank.checkEmbedder(opts.embedder);
      return bank;
    } catch (e) {
      table.close();
      db.close();
      throw e;
    }
  }

  get dim(): number { return this.manifest.dim; }

  /** Refuse queries from a retriever other than the one that embedded this bank (incomparable vectors). */
  checkEmbedder(embedder: string): void {
    if (embedder !== this.manifest.embedder) {
      throw new BankError(`memory bank ${this.uri} was built with embedder "${this.manifest.embedder}" but the queries come from ` +
        `"${embedder}": embeddings of different retrievers are not comparable; rebuild the bank with this retriever (\`cm3leon bank build\`)`);
    }
  }

  count(): Promise<number> { return this.table.countRows(); }

  /** The ANN index and its query settings, or null while the bank is searched exactly. */
  indexInfo(): BankIndexInfo | null {
    if (!this.index) return null;
    return { ...this.index, nprobes: nprobesFor(this.index.partitions, this.cfg), refineFactor: this.cfg.refineFactor };
  }

  /**
   * Append documents (validated: unique ids, `dim` finite values each), then update the index.
   *
   * Atomic: the rows go in with ONE `table.add`, one Lance commit. Lance writes the new data
   * files first and then publishes a new table version by writing its manifest with an atomic
   * put-if-absent/rename; readers only ever follow a complete manifest. A process killed before
   * that step leaves the previous version (the orphan data files are garbage that `optimize()`
   * cleans up), after it the whole batch is in. test/retrieval/bank_atomic.test.ts kills a
   * writer mid-add and checks that a reopened bank holds all of the batch or none of it.
   * Index maintenance then runs as separate commits, each safe to interrupt (bank_index.ts).
   */
  async add(docs: readonly BankDocument[]): Promise<{ added: number; index: IndexAction }> {
    this.assertOpen();
    if (docs.length === 0) return { added: 0, index: 'unchanged' };
    validateDocuments(docs, this.dim);
    const clash = await this.existingIds(docs.map((d) => d.id));
    if (clash.length > 0) {
      const shown = clash.slice(0, 5).map((id) => `"${id}"`).join(', ') + (clash.length > 5 ? `, … (${clash.length} in all)` : '');
      throw new BankError(`ids already in the memory bank: ${shown}; ids are unique`);
    }
    await this.table.add(documentsToArrow(docs, await this.table.schema(), this.dim));
    return { added: docs.length, index: await this.reindex() };
  }

  /** Bring the ANN index up to date with the table (done by `add`; for a bank whose last add was interrupted). */
  async reindex(): Promise<IndexAction> {
    this.assertOpen();
    const action = await maintainIndex(this.table, this.dim, this.cfg);
    this.index = await readIndexState(this.table);
    return action;
  }

  /** Full documents (image and codes included), in the order given; throws naming missing ids. */
  async byIds(ids: readonly string[]): Promise<StoredDocument[]> {
    this.assertOpen();
    const found = new Map<string, StoredDocument>();
    for (let i = 0; i < ids.length; i += ID_QUERY_CHUNK) {
      const rows = await this.table.query().where(`id IN (${ids.slice(i, i + ID_QUERY_CHUNK).map(sqlString).join(', ')})`).toArray();
      for (const r of rows as Row[]) found.set(String(r.id), rowToDocument(r));
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new BankError(`not in the memory bank: ${missing.slice(0, 5).map((id) => `"${id}"`).join(', ')}`);
    return ids.map((id) => found.get(id)!);
  }

  /** The k documents with the largest inner product with `query`, best first. */
  async search(query: ArrayLike<number>, k: number, opts: SearchOptions = {}): Promise<BankHit[]> {
    this.assertOpen();
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`search k must be an integer >= 0, got ${k}`);
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values but the bank's dim is ${this.dim}`);
    for (let i = 0; i < query.length; i++) {
      if (!Number.isFinite(query[i])) throw new RangeError(`query[${i}] is ${query[i]} (must be finite)`);
    }
    if (k === 0) return [];
    const exclude = new Set(opts.excludeIds ?? []);
    // Excluded ids are dropped after the search: fetching k + |exclude| keeps k survivors, and
    // avoids a prefilter that would scan the id column of the whole table.
    let q = this.table.vectorSearch(Float32Array.from(query)).column(EMBEDDING_COLUMN).distanceType('dot')
      .select(SEARCH_COLUMNS).limit(k + exclude.size);
    const index = this.indexInfo();
    if (opts.exact) q = q.bypassVectorIndex();
    else if (index) q = q.nprobes(index.nprobes).refineFactor(index.refineFactor);
    const hits: BankHit[] = [];
    for (const r of (await q.toArray()) as Row[]) {
      const id = String(r.id);
      if (exclude.has(id)) continue;
      const embedding = floats(r[EMBEDDING_COLUMN]);
      hits.push({ id, caption: String(r.caption), source: String(r.source), licence: String(r.licence), score: dot(query, embedding), embedding });
    }
    return hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, k);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { this.table.close(); } catch { /* already closed */ }
    try { this.db.close(); } catch { /* already closed */ }
  }

  private assertOpen(): void {
    if (this.closed) throw new BankError(`memory bank ${this.uri} is closed`);
  }

  private async existingIds(ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += ID_QUERY_CHUNK) {
      const rows = await this.table.query().select(['id'])
        .where(`id IN (${ids.slice(i, i + ID_QUERY_CHUNK).map(sqlString).join(', ')})`).toArray();
      for (const r of rows as Row[]) out.push(String(r.id));
    }
    return out;
  }
}

export { BankWriter } from './bank_writer.js';
export type { BankCreateOptions, FinishStage } from './bank_writer.js';
export type { BankDocument, BankManifest, StoredDocument } from './bank_schema.js';
export { BankError } from './bank_schema.js';
export { BANK_INDEX_DEFAULTS, type BankIndexConfig, type IndexAction } from './bank_index.js';
