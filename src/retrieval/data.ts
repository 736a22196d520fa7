/**
 * retrieval/data.ts — (caption, image) pairs for the retriever from a dataset built by
 * `cm3leon data build`: the train split for training, held-out concepts of the emoji set for
 * evaluation (the bar in docs/retrieval.md), held-out style as a second report.
 */
import { decodePng } from '../data/image.js';
import { openDataset } from '../data/store.js';
import type { Pair } from './train.js';

export const RETRIEVER_SPLITS = {
  train: "split = 'train'",
  heldoutConcept: "split = 'heldout-concept' AND source = 'emoji'",
  heldoutStyle: "split = 'heldout-style'",
} as const;

export async function loadPairs(dir: string, where: string, size: number, limit?: number): Promise<Pair[]> {
  const ds = await openDataset(dir);
  try {
    const recs = await ds.records({ where: `${where} AND size = ${size}`, limit });
    return Promise.all(recs.map(async (r) => ({ id: r.id, concept: `${r.source}:${r.concept}`, captions: r.captions, image: (await decodePng(r.image)).data })));
  } finally {
    ds.close();
  }
}
