/**
 * retrieval/bank_schema.ts — the memory bank's document table: its Arrow schema, the manifest
 * stored with it, validation of incoming documents, and conversion to and from Arrow.
 */
import { createRequire } from 'node:module';
import type * as ArrowTypes from 'apache-arrow';

/**
 * `@lancedb/lancedb` is CommonJS and `require`s apache-arrow, while an ES-module `import` of
 * apache-arrow loads its separate ESM build: two copies of every class, so an Arrow table built
 * with the ESM copy fails LanceDB's `instanceof` checks ("schemas must be equivalent"). Building
 * with the CommonJS copy — the very module LanceDB uses — avoids that dual-package hazard.
 */
const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowTypes;

/** A user-facing memory-bank problem (missing bank, wrong embedder, duplicate ids, refused overwrite). */
export class BankError extends Error {
  override name = 'BankError';
}

export const DOCUMENTS_TABLE = 'documents';
export const BANK_FORMAT = 'cm3leon-bank-v1';
/** Key of the manifest JSON in the `embedding` column's field metadata. */
export const MANIFEST_KEY = 'cm3leon.bank';
export const EMBEDDING_COLUMN = 'embedding';

/** A document as given to `add`: an image–text pair plus its retriever embedding. */
export interface BankDocument {
  id: string;
  caption: string;
  /** PNG bytes. */
  image: Uint8Array;
  /** Image-tokenizer codes of the image (may be empty). */
  codes: ArrayLike<number>;
  source: string;
  licence: string;
  /** The retriever's document embedding (l2-normalised), `dim` values. */
  embedding: ArrayLike<number>;
}

/** A document as read back from the bank. */
export interface StoredDocument extends BankDocument {
  codes: Int32Array;
  embedding: Float32Array;
}

/** What a bank was built with; written once when a build finishes. */
export interface BankManifest {
  format: string;
  /** Embedding dimension. */
  dim: number;
  /** Identifies the retriever that made the embeddings (e.g. its checkpoint name or hash). */
  embedder: string;
  created: string;
}

export function documentSchema(dim: number): ArrowTypes.Schema {
  const { Binary, Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } = arrow;
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('caption', new Utf8(), false),
    new Field('image', new Binary(), false),
    new Field('codes', new List(new Field('item', new Int32(), true)), false),
    new Field('source', new Utf8(), false),
    new Field('licence', new Utf8(), false),
    new Field(EMBEDDING_COLUMN, new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
  ]);
}

/** Reject a dim or embedder id that cannot describe a bank. */
export function checkManifestFields(dim: number, embedder: string): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`bank dim must be a positive integer, got ${dim}`);
  if (typeof embedder !== 'string' || embedder.trim() === '') {
    throw new TypeError(`bank embedder must be a non-empty string naming the retriever, got ${JSON.stringify(embedder)}`);
  }
}

export function parseManifest(json: string | undefined, where: string): BankManifest {
  if (json === undefined) {
    throw new BankError(`${where} is not a complete cm3leon memory bank (no manifest): an interrupted build? ` +
      'Build it again with `cm3leon bank build`');
  }
  const m = JSON.parse(json) as BankManifest;
  if (m.format !== BANK_FORMAT) throw new BankError(`${where}: unknown memory bank format "${m.format}" (expected ${BANK_FORMAT})`);
  checkManifestFields(m.dim, m.embedder);
  return m;
}

/** Throw a clear error for the first invalid document; ids must be unique within the batch. */
export function validateDocuments(docs: readonly BankDocument[], dim: number): void {
  const seen = new Map<string, number>();
  docs.forEach((d, i) => {
    const what = `document ${i}${typeof d.id === 'string' ? ` ("${d.id}")` : ''}`;
    if (typeof d.id !== 'string' || d.id === '') throw new TypeError(`${what}: id must be a non-empty string, got ${JSON.stringify(d.id)}`);
    const first = seen.get(d.id);
    if (first !== undefined) throw new BankError(`duplicate id "${d.id}" in this batch (documents ${first} and ${i}); ids are unique`);
    seen.set(d.id, i);
    for (const k of ['caption', 'source', 'licence'] as const) {
      if (typeof d[k] !== 'string') throw new TypeError(`${what}: ${k} must be a string, got ${JSON.stringify(d[k])}`);
    }
    if (!(d.image instanceof Uint8Array)) throw new TypeError(`${what}: image must be PNG bytes (a Uint8Array)`);
    for (let j = 0; j < d.codes.length; j++) {
      const c = d.codes[j];
      if (!Number.isInteger(c) || c < -(2 ** 31) || c >= 2 ** 31) throw new RangeError(`${what}: codes[${j}] = ${c} is not an int32`);
    }
    if (d.embedding.length !== dim) {
      throw new RangeError(`${what}: embedding has ${d.embedding.length} values but the bank's dim is ${dim}`);
    }
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(d.embedding[j])) throw new RangeError(`${what}: embedding[${j}] is ${d.embedding[j]} (must be finite)`);
    }
  });
}

function onlyChunk<T extends ArrowTypes.DataType>(v: ArrowTypes.Vector<T>): ArrowTypes.Data<T> {
  if (v.data.length !== 1) throw new BankError(`internal: expected one Arrow chunk, got ${v.data.length}`);
  return v.data[0];
}

/** Documents (already validated) as one Arrow table in `schema`, embeddings packed into one buffer. */
export function documentsToArrow(docs: readonly BankDocument[], schema: ArrowTypes.Schema, dim: number): ArrowTypes.Table {
  const { Float32, RecordBatch, Struct, Table, makeData, vectorFromArray } = arrow;
  const n = docs.length;
  const flat = new Float32Array(n * dim);
  docs.forEach((d, i) => flat.set(d.embedding, i * dim));
  const type = (name: string) => schema.fields.find((f) => f.name === name)!.type;
  const strings = (k: 'id' | 'caption' | 'source' | 'licence') => onlyChunk(vectorFromArray(docs.map((d) => d[k]), type(k)));
  const children = [
    strings('id'), strings('caption'),
    onlyChunk(vectorFromArray(docs.map((d) => d.image), type('image'))),
    onlyChunk(vectorFromArray(docs.map((d) => Array.from(d.codes)), type('codes'))),
    strings('source'), strings('licence'),
    makeData({ type: type(EMBEDDING_COLUMN), length: n, nullCount: 0,
      child: makeData({ type: new Float32(), length: n * dim, data: flat }) }),
  ];
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, data));
}

/** A LanceDB result row (`toArray()` objects hold Arrow vectors for list columns). */
export type Row = Record<string, unknown>;

interface ArrowList<T> { toArray(): T }

export function floats(v: unknown): Float32Array {
  const a = (v as ArrowList<Float32Array>).toArray?.() ?? (v as Float32Array);
  return Float32Array.from(a);
}

function ints(v: unknown): Int32Array {
  const a = (v as ArrowList<Int32Array>).toArray?.() ?? (v as Int32Array);
  return Int32Array.from(a);
}

export function rowToDocument(r: Row): StoredDocument {
  return {
    id: String(r.id), caption: String(r.caption), image: new Uint8Array(r.image as Uint8Array), codes: ints(r.codes),
    source: String(r.source), licence: String(r.licence), embedding: floats(r[EMBEDDING_COLUMN]),
  };
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
