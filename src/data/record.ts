/**
 * data/record.ts — the one record type every later stage reads (tokenizer, retriever, memory
 * bank, pretraining, SFT, evaluation), and the interface a data source implements.
 */
export type SourceName = 'emoji' | 'avatar' | 'icon' | 'flag' | 'scene';
export type Split = 'train' | 'heldout-concept' | 'heldout-style';
export type AttrValue = string | number | boolean | string[] | number[];

export interface Licence {
  /** SPDX id (or a short name when there is none), e.g. 'CC-BY-4.0', 'Apache-2.0', 'CC0-1.0'. */
  spdx: string;
  /** Who to credit, e.g. 'Twemoji by Twitter, Inc and other contributors'. */
  attribution: string;
  url?: string;
}

/** A labelled box in pixel coordinates of the record's image: [x0, x1) x [y0, y1). */
export interface Box { label: string; x0: number; y0: number; x1: number; y1: number }

/** Set on a record that is the result of editing another record. */
export interface EditOf { of: string; instruction: string; kind: string }

export interface DataRecord {
  /** Unique and stable: `${source}/${style}/${key}`. */
  id: string;
  source: SourceName;
  /** Visual style, e.g. 'google', 'twitter', 'openmoji', 'openmoji-black', 'adventurer', 'tabler'. */
  style: string;
  /** The unit held out by concept splits (e.g. the emoji name, the icon name, the scene layout id). */
  concept: string;
  split: Split;
  /** One or more non-empty captions (different phrasings). */
  captions: string[];
  /** PNG bytes: size x size RGB on a white background. */
  image: Uint8Array;
  size: number;
  /** Exact attributes (names, keywords, options, colours, counts...). */
  attributes: Record<string, AttrValue>;
  boxes: Box[];
  /** Optional PNG (8-bit grey): pixel value = 1 + index into `boxes` (instance), 0 = background. */
  mask: Uint8Array | null;
  /** Set when this record is the target of an edit of another record. */
  edit: EditOf | null;
  licence: Licence;
}

/** What a source yields: a record without its split (assigned by the builder), or a skip. */
export type SourceItem = Omit<DataRecord, 'split'>;
export interface Skipped { skipped: true; id: string; reason: string }

export interface SourceOptions {
  /** Output image side in pixels. */
  size: number;
  /** Stop after this many items (tests, tiny subsets). */
  limit?: number;
  /** Seed for captions and sampled options. */
  seed: number;
}

export interface Source {
  name: SourceName;
  /** Items in a deterministic order. */
  items(opts: SourceOptions): AsyncIterable<SourceItem | Skipped>;
}

export function isSkipped(x: SourceItem | Skipped): x is Skipped {
  return (x as Skipped).skipped === true;
}
