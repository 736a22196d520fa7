/**
 * tokenizer/document.ts — the mixed-modal document: ordered text, image and CM3-sentinel segments,
 * and its exact id encoding. Layout (paper §1): consecutive segments are joined by <break>
 * ("caption <break> image"); a sequence of documents is framed by <eos> (`<eos> d1 <eos> d2 <eos>`).
 * Images are code grids here; pixels <-> codes is the image tokenizer's job.
 * CM3-transformed ids (model/cm3.ts) place `<mask:i>`/`<infill>` inline, as in the paper, and can
 * cut an image's codes apart; they are not Documents: `uncm3` restores the Document ids first.
 */
import type { Vocab } from './vocab.js';

export interface TextCodec {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'image'; codes: number[] }
  /** CM3 sentinel: <mask:i> (a span moved to the end) or <infill> (start of the moved spans). */
  | { kind: 'mask'; index: number }
  | { kind: 'infill' };

export type Document = Segment[];

export class DocumentError extends Error {}

/** ids of one document: segments joined by <break>; sentinels stand alone between breaks. */
export function encodeDocument(doc: Document, vocab: Vocab, text: TextCodec): number[] {
  if (doc.length === 0) throw new DocumentError('encodeDocument: a document needs at least one segment');
  const out: number[] = [];
  doc.forEach((s, i) => {
    if (i > 0) out.push(vocab.brk);
    switch (s.kind) {
      case 'text': {
        if (s.text.length === 0) throw new DocumentError(`segment ${i}: empty text segment (drop it instead)`);
        const ids = text.encode(s.text);
        for (const id of ids) if (!vocab.isText(id)) throw new DocumentError(`segment ${i}: the text codec produced id ${id} outside the text range`);
        out.push(...ids);
        break;
      }
      case 'image':
        if (s.codes.length !== vocab.imageTokens) {
          throw new DocumentError(`segment ${i}: an image needs ${vocab.imageTokens} codes, got ${s.codes.length}`);
        }
        for (const c of s.codes) out.push(vocab.image(c));
        break;
      case 'mask': out.push(vocab.mask(s.index)); break;
      case 'infill': out.push(vocab.infill); break;
    }
  });
  return out;
}

/**
 * Inverse of encodeDocument. Throws DocumentError (with the position) on malformed input: an image
 * with the wrong number of codes, text and image ids mixed in one segment, an empty segment
 * (two <break>s in a row), <eos>/<pad> inside a document, or an id outside the vocabulary.
 */
export function decodeDocument(ids: readonly number[], vocab: Vocab, text: TextCodec): Document {
  const doc: Document = [];
  let start = 0;
  const flush = (end: number) => {
    if (end === start) throw new DocumentError(`empty segment at position ${start} (two <break>s in a row, or a leading/trailing <break>)`);
    const seg = ids.slice(start, end);
    const first = seg[0];
    if (vocab.isMask(first) || first === vocab.infill) {
      if (seg.length !== 1) throw new DocumentError(`position ${start}: ${vocab.describe(first)} must stand alone between <break>s`);
      doc.push(vocab.isMask(first) ? { kind: 'mask', index: vocab.maskIndex(first) } : { kind: 'infill' });
      return;
    }
    const image = vocab.isImage(first);
    seg.forEach((id, k) => {
      if (image ? !vocab.isImage(id) : !vocab.isText(id)) {
        throw new DocumentError(`position ${start + k}: ${vocab.describe(id)} inside ${image ? 'an image' : 'a text segment'}`);
      }
    });
    if (image) {
      if (seg.length !== vocab.imageTokens) {
        throw new DocumentError(`position ${start}: an image needs ${vocab.imageTokens} codes, got ${seg.length}`);
      }
      doc.push({ kind: 'image', codes: seg.map((id) => vocab.imageCode(id)) });
    } else {
      doc.push({ kind: 'text', text: text.decode(seg) });
    }
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!vocab.isValid(id)) throw new DocumentError(`position ${i}: ${vocab.describe(id)} (vocabulary size ${vocab.size})`);
    if (id === vocab.eos || id === vocab.pad) throw new DocumentError(`position ${i}: ${vocab.describe(id)} inside a document (split sequences with decodeSequence)`);
    if (id === vocab.brk) { flush(i); start = i + 1; }
  }
  flush(ids.length);
  return doc;
}

/** `<eos> d1 <eos> d2 ... <eos>`: documents framed by <eos> (paper Fig. 9). */
export function encodeSequence(docs: readonly Document[], vocab: Vocab, text: TextCodec): number[] {
  const out = [vocab.eos];
  for (const d of docs) out.push(...encodeDocument(d, vocab, text), vocab.eos);
  return out;
}

/** Split on <eos> (ignoring trailing <pad>) and decode each document. */
export function decodeSequence(ids: readonly number[], vocab: Vocab, text: TextCodec): Document[] {
  let end = ids.length;
  while (end > 0 && ids[end - 1] === vocab.pad) end--;
  const docs: Document[] = [];
  let start = 0;
  for (let i = 0; i <= end; i++) {
    if (i === end || ids[i] === vocab.eos) {
      if (i > start) docs.push(decodeDocument(ids.slice(start, i), vocab, text));
      start = i + 1;
    }
  }
  return docs;
}
