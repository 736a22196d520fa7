/**
 * retrieval/bank_writer.ts — building a new memory bank, atomically.
 *
 * A bank lives at a local folder (the default: embedded LanceDB, no server) or at any LanceDB
 * URI such as `s3://bucket/banks/emoji` or `gs://…`, with `storageOptions` (credentials, region,
 * endpoint: see LanceDB's storage docs) passed straight to `lancedb.connect`.
 *
 * Local folders: the build goes into `.<name>.partial-<pid>-<time>` beside the target and is
 * renamed into place by `finish()`, so an interrupted build leaves the previous bank (or nothing)
 * at the target; partial folders of dead processes are removed by the next build.
 * Object stores have no atomic rename, so there the build writes the target table directly and
 * `finish()` marks it complete by committing the manifest last: `MemoryBank.open` refuses a bank
 * without one. Replacing a complete bank on an object store is refused — build to a new URI and
 * point readers at it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import type { Schema } from 'apache-arrow';
import { type BankIndexConfig, bankIndexConfig, maintainIndex } from './bank_index.js';
import {
  BankError,
  BANK_FORMAT, type BankDocument, type BankManifest, checkManifestFields, documentSchema, documentsToArrow, DOCUMENTS_TABLE,
  EMBEDDING_COLUMN, MANIFEST_KEY, validateDocuments,
} from './bank_schema.js';

/** A human-readable copy of the manifest in local bank folders (the table's own copy is authoritative). */
export const MANIFEST_FILE = 'manifest.json';

export interface BankLocationOptions {
  /** Object-store settings for non-local URIs (e.g. `{ aws_region: 'eu-west-1' }`); ignored locally. */
  storageOptions?: Record<string, string>;
  /** Index policy overrides (see BANK_INDEX_DEFAULTS). */
  index?: Partial<BankIndexConfig>;
}

export interface BankCreateOptions extends BankLocationOptions {
  dim: number;
  /** Identifies the retriever that embeds documents and queries (checkpoint name or hash). */
  embedder: string;
}

/** Stages of `finish()`, reported with their durations in seconds. */
export type FinishStage = 'compact' | 'index' | 'commit';

const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isLocalUri(uri: string): boolean {
  return !URI_SCHEME.test(uri) || uri.startsWith('file://');
}

export function localPath(uri: string): string {
  return resolve(uri.startsWith('file://') ? fileURLToPath(uri) : uri);
}

/** False only for a local bank folder that does not exist (a remote URI is tried on open). */
export function bankMayExist(uri: string): boolean {
  return !isLocalUri(uri) || existsSync(localPath(uri));
}

export async function connectBank(uri: string, storageOptions?: Record<string, string>): Promise<lancedb.Connection> {
  return isLocalUri(uri) ? lancedb.connect(localPath(uri)) : lancedb.connect(uri, { storageOptions });
}

/** The manifest JSON from the table's `embedding` field metadata (undefined until a build finishes). */
export async function manifestJson(table: lancedb.Table): Promise<string | undefined> {
  return (await table.schema()).fields.find((f) => f.name === EMBEDDING_COLUMN)?.metadata.get(MANIFEST_KEY);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Tidy what dead builders left beside `target`: partial folders are deleted, and a previous bank
 * parked as `.old-<pid>` by a swap that died between its two renames is put back.
 */
export function recoverLocal(target: string): void {
  const dir = dirname(target);
  if (!existsSync(dir)) return;
  const prefix = `.${basename(target)}.`;
  for (const name of readdirSync(dir)) {
    const m = name.startsWith(prefix) ? /^(partial|old)-(\d+)(-|$)/.exec(name.slice(prefix.length)) : null;
    if (!m || alive(Number(m[2]))) continue;
    if (m[1] === 'old' && !existsSync(target)) renameSync(join(dir, name), target);
    else rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function isLocalBank(dir: string): boolean {
  try { return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')).format === BANK_FORMAT; } catch { return false; }
}

/** Writes a new bank; `finish()` makes it visible at the target, `abort()` discards it. */
export class BankWriter {
  private readonly ids = new Set<string>();
  private closed = false;

  private constructor(readonly uri: string, private readonly staging: string | null, readonly dim: number,
    readonly embedder: string, private readonly cfg: BankIndexConfig, private readonly db: lancedb.Connection,
    private readonly table: lancedb.Table, private readonly schema: Schema) {}

  /** Refuses a local target that exists and is neither empty nor a memory bank (nothing is deleted). */
  static async create(uri: string, opts: BankCreateOptions): Promise<BankWriter> {
    checkManifestFields(opts.dim, opts.embedder);
    const cfg = bankIndexConfig(opts.index);
    const schema = documentSchema(opts.dim);
    if (isLocalUri(uri)) {
      const target = localPath(uri);
      recoverLocal(target);
      if (existsSync(target) && !isLocalBank(target) && !(statSync(target).isDirectory() && readdirSync(target).length === 0)) {
        throw new BankError(`${target} exists and is not a cm3leon memory bank; refusing to replace it (choose another path)`);
      }
      mkdirSync(dirname(target), { recursive: true });
      const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
      const db = await lancedb.connect(staging);
      const table = await db.createEmptyTable(DOCUMENTS_TABLE, schema);
      return new BankWriter(uri, staging, opts.dim, opts.embedder, cfg, db, table, schema);
    }
    const db = await lancedb.connect(uri, { storageOptions: opts.storageOptions });
    if ((await db.tableNames()).includes(DOCUMENTS_TABLE)) {
      const old = await db.openTable(DOCUMENTS_TABLE);
      const complete = (await manifestJson(old)) !== undefined;
      old.close();
      if (complete) {
        db.close();
        throw new BankError(`${uri} already holds a memory bank; object stores have no atomic rename, so build into a new URI ` +
          'and point readers at it (or delete the old bank first)');
      }
    }
    const table = await db.createEmptyTable(DOCUMENTS_TABLE, schema, { mode: 'overwrite' });  // replaces an unfinished build
    return new BankWriter(uri, null, opts.dim, opts.embedder, cfg, db, table, schema);
  }

  get count(): number { return this.ids.size; }

  /** Append documents (validated; ids unique across the whole build). */
  async add(docs: readonly BankDocument[]): Promise<void> {
    if (docs.length === 0) return;
    validateDocuments(docs, this.dim);
    const dup = docs.find((d) => this.ids.has(d.id));
    if (dup) throw new BankError(`duplicate id "${dup.id}": already added to this bank; ids are unique`);
    await this.table.add(documentsToArrow(docs, this.schema, this.dim));
    for (const d of docs) this.ids.add(d.id);
  }

  /** Compact, build the index if the bank is large enough, commit the manifest, and swap into place. */
  async finish(onStage?: (stage: FinishStage, seconds: number) => void): Promise<BankManifest> {
    const timed = async (stage: FinishStage, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      onStage?.(stage, (performance.now() - t0) / 1000);
    };
    const manifest: BankManifest = { format: BANK_FORMAT, dim: this.dim, embedder: this.embedder, created: new Date().toISOString() };
    try {
      await timed('compact', () => this.table.optimize({ cleanupOlderThan: new Date() }));  // merge the per-batch fragments
      await timed('index', () => maintainIndex(this.table, this.dim, this.cfg));
      await timed('commit', async () => {
        await this.table.updateFieldMetadata([{ path: EMBEDDING_COLUMN, metadata: { [MANIFEST_KEY]: JSON.stringify(manifest) } }]);
        this.close();
        if (this.staging) {
          writeFileSync(join(this.staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
          swapInto(this.staging, localPath(this.uri));
        }
      });
    } catch (e) {
      this.abort();
      throw e;
    }
    return manifest;
  }

  /** Discard the build (locally: delete the partial folder; on an object store the unfinished table stays, unopenable). */
  abort(): void {
    this.close();
    if (this.staging) rmSync(this.staging, { recursive: true, force: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    try { this.table.close(); } catch { /* already closed */ }
    try { this.db.close(); } catch { /* already closed */ }
  }
}

/** Replace `target` by `staging` with renames; the previous bank is restored if the second rename fails. */
function swapInto(staging: string, target: string): void {
  const old = existsSync(target) ? join(dirname(target), `.${basename(target)}.old-${process.pid}`) : null;
  if (old) renameSync(target, old);
  try {
    renameSync(staging, target);
  } catch (e) {
    if (old) renameSync(old, target);
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}
