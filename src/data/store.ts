/**
 * data/store.ts — datasets on disk: a LanceDB table `records` (one row per DataRecord, PNGs as
 * binary columns, structured fields as JSON) plus `manifest.json`. Writes go to a temporary
 * directory renamed into place at the end, so an interrupted build leaves nothing half-written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Binary, Field, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { DataRecord } from './record.js';

export const TABLE = 'records';
export const DATASET_FORMAT = 'cm3leon-dataset-v1';

const SCHEMA = new Schema([
  new Field('id', new Utf8(), false),
  new Field('source', new Utf8(), false),
  new Field('style', new Utf8(), false),
  new Field('concept', new Utf8(), false),
  new Field('split', new Utf8(), false),
  new Field('captions', new List(new Field('item', new Utf8(), true)), false),
  new Field('image', new Binary(), false),
  new Field('size', new Int32(), false),
  new Field('attributes', new Utf8(), false),
  new Field('boxes', new Utf8(), false),
  new Field('mask', new Binary(), true),
  new Field('edit', new Utf8(), true),
  new Field('licence', new Utf8(), false),
]);

type Row = Record<string, unknown>;

function toRow(r: DataRecord): Row {
  return {
    id: r.id, source: r.source, style: r.style, concept: r.concept, split: r.split, captions: r.captions,
    image: Buffer.from(r.image), size: r.size, attributes: JSON.stringify(r.attributes), boxes: JSON.stringify(r.boxes),
    mask: r.mask ? Buffer.from(r.mask) : null, edit: r.edit ? JSON.stringify(r.edit) : null, licence: JSON.stringify(r.licence),
  };
}

function bytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(v as ArrayBuffer);
}

export function fromRow(row: Row): DataRecord {
  const caps = row.captions as { toArray?: () => string[] } | string[];
  return {
    id: String(row.id), source: row.source as DataRecord['source'], style: String(row.style), concept: String(row.concept),
    split: row.split as DataRecord['split'], captions: Array.isArray(caps) ? caps : [...(caps.toArray?.() ?? [])],
    image: bytes(row.image), size: Number(row.size), attributes: JSON.parse(String(row.attributes)),
    boxes: JSON.parse(String(row.boxes)), mask: row.mask ? bytes(row.mask) : null,
    edit: row.edit ? JSON.parse(String(row.edit)) : null, licence: JSON.parse(String(row.licence)),
  };
}

export interface Manifest {
  format: string;
  created: string;
  count: number;
  /** Per source: items written and skipped, with reasons (counted). */
  sources: Record<string, { written: number; skipped: number; reasons: Record<string, number> }>;
  options: Record<string, unknown>;
}

/** Writes a dataset into `${out}.partial-*`, then swaps it into `out` on finish(). */
export class DatasetWriter {
  private constructor(readonly out: string, readonly tmp: string, private db: lancedb.Connection,
    private table: lancedb.Table, private n = 0) {}

  /** Refuses an `out` that exists and is neither empty nor a cm3leon dataset (nothing is deleted). */
  static async create(out: string): Promise<DatasetWriter> {
    if (existsSync(out)) {
      const isDataset = existsSync(join(out, 'manifest.json')) &&
        (() => { try { return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).format === DATASET_FORMAT; } catch { return false; } })();
      const isEmptyDir = statSync(out).isDirectory() && readdirSync(out).length === 0;
      if (!isDataset && !isEmptyDir) {
        throw new Error(`${out} exists and is not a cm3leon dataset; refusing to replace it (choose another --out)`);
      }
    }
    mkdirSync(dirname(out) || '.', { recursive: true });
    const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}-${Date.now()}`);
    const db = await lancedb.connect(tmp);
    const table = await db.createEmptyTable(TABLE, SCHEMA);
    return new DatasetWriter(out, tmp, db, table);
  }

  get count(): number { return this.n; }

  async add(records: readonly DataRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.table.add(records.map(toRow));
    this.n += records.length;
  }

  /** Write the manifest and atomically replace `out`. */
  async finish(manifest: Omit<Manifest, 'format' | 'count' | 'created'>): Promise<Manifest> {
    const full: Manifest = { format: DATASET_FORMAT, created: new Date().toISOString(), count: this.n, ...manifest };
    writeFileSync(join(this.tmp, 'manifest.json'), JSON.stringify(full, null, 2));
    await this.table.optimize({ cleanupOlderThan: new Date() });  // compact the per-batch fragments
    this.close();
    const old = existsSync(this.out) ? join(dirname(this.out), `.${basename(this.out)}.old-${process.pid}`) : null;
    if (old) renameSync(this.out, old);
    try {
      renameSync(this.tmp, this.out);
    } catch (e) {
      if (old) renameSync(old, this.out);  // put the previous dataset back
      throw e;
    }
    if (old) rmSync(old, { recursive: true, force: true });
    return full;
  }

  private close(): void {
    try { this.table.close(); } catch { /* already closed */ }
    try { this.db.close(); } catch { /* already closed */ }
  }

  abort(): void {
    this.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export interface Dataset {
  dir: string;
  manifest: Manifest;
  table: lancedb.Table;
  count(filter?: string): Promise<number>;
  /** Records matching a SQL filter (e.g. "source = 'emoji' AND split = 'train'"). */
  records(opts?: { where?: string; limit?: number; offset?: number }): Promise<DataRecord[]>;
  /** The ids matching a filter (no image data is read). */
  ids(where?: string): Promise<string[]>;
  /** Records by id, in the order given. */
  byIds(ids: readonly string[]): Promise<DataRecord[]>;
  close(): void;
}

export const COLUMNS = SCHEMA.fields.map((f) => f.name);

export async function openDataset(dir: string): Promise<Dataset> {
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) throw new Error(`${dir} is not a cm3leon dataset (no manifest.json). HINT: build one with \`cm3leon data build --out ${dir}\``);
  const manifest = JSON.parse(readFileSync(mf, 'utf8')) as Manifest;
  if (manifest.format !== DATASET_FORMAT) throw new Error(`${dir}: unknown dataset format "${manifest.format}"`);
  const db = await lancedb.connect(dir);
  const table = await db.openTable(TABLE);
  const quote = (id: string) => `'${id.replace(/'/g, "''")}'`;
  return {
    dir, manifest, table,
    count: (filter) => table.countRows(filter),
    async ids(where) {
      let q = table.query().select(['id']);
      if (where) q = q.where(where);
      return (await q.toArray()).map((r) => String(r.id));
    },
    async byIds(ids) {
      const out = new Map<string, DataRecord>();
      for (let i = 0; i < ids.length; i += 256) {
        const rows = await table.query().where(`id IN (${ids.slice(i, i + 256).map(quote).join(', ')})`).toArray();
        for (const r of rows) out.set(String(r.id), fromRow(r as Row));
      }
      return ids.map((id) => { const r = out.get(id); if (!r) throw new Error(`no record ${id}`); return r; });
    },
    close() { table.close(); db.close(); },
    async records(o = {}) {
      let q = table.query();
      if (o.where) q = q.where(o.where);
      if (o.limit !== undefined) q = q.limit(o.limit);
      if (o.offset !== undefined) q = q.offset(o.offset);
      return (await q.toArray()).map((r) => fromRow(r as Row));
    },
  };
}
