/**
 * data/stats.ts — dataset summary: counts by source/style/split, edits, caption lengths, licences.
 */
import type { Dataset } from './store.js';

export interface DatasetStats {
  total: number;
  bySource: Record<string, number>;
  byStyle: Record<string, number>;
  bySplit: Record<string, number>;
  edits: number;
  withBoxes: number;
  licences: Record<string, number>;
  captions: { perRecordMin: number; perRecordMean: number; wordsMean: number };
  concepts: number;
}

const bump = (m: Record<string, number>, k: string) => { m[k] = (m[k] ?? 0) + 1; };

export async function datasetStats(ds: Dataset): Promise<DatasetStats> {
  const s: DatasetStats = { total: 0, bySource: {}, byStyle: {}, bySplit: {}, edits: 0, withBoxes: 0, licences: {},
    captions: { perRecordMin: Infinity, perRecordMean: 0, wordsMean: 0 }, concepts: 0 };
  const concepts = new Set<string>();
  let caps = 0, words = 0;
  const rows = await ds.table.query().select(['source', 'style', 'split', 'concept', 'captions', 'edit', 'boxes', 'licence']).toArray();
  for (const r of rows) {
    s.total++;
    bump(s.bySource, String(r.source));
    bump(s.byStyle, `${r.source}/${r.style}`);
    bump(s.bySplit, String(r.split));
    if (r.edit) s.edits++;
    if (String(r.boxes) !== '[]') s.withBoxes++;
    bump(s.licences, (JSON.parse(String(r.licence)) as { spdx: string }).spdx);
    concepts.add(`${r.source}:${r.concept}`);
    const list: string[] = Array.isArray(r.captions) ? r.captions : [...r.captions.toArray()];
    s.captions.perRecordMin = Math.min(s.captions.perRecordMin, list.length);
    caps += list.length;
    for (const c of list) words += c.split(/\s+/).length;
  }
  s.concepts = concepts.size;
  s.captions.perRecordMean = s.total ? caps / s.total : 0;
  s.captions.wordsMean = caps ? words / caps : 0;
  if (s.total === 0) s.captions.perRecordMin = 0;
  return s;
}
