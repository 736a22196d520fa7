/**
 * data/hash.ts — the dataset code's one string/seed hash: FNV-1a over UTF-16 code units with a
 * murmur3 finaliser (uniform even on near-identical strings). Used for splits, caption seeds and
 * per-item scene seeds; changing it changes every split and caption.
 */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function hash32(s: string, seed = 0): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return fmix32(h >>> 0);
}
