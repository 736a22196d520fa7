/**
 * data/synth/stickers.ts — real art as scene backgrounds: a sticker provider that picks a Noto
 * (google) emoji without skin tone and decodes it to size x size RGBA, so synthetic shapes can be
 * laid over real artwork with exact masks (the sticker is background, mask 0).
 */
import { decodeToRgba } from '../image.js';
import { loadEmojiEntries, type EmojiEntry } from '../sources/emoji.js';
import type { Rng } from '../../tensor/random.js';
import type { Sticker, StickerProvider } from './scene.js';

let pool: EmojiEntry[] | null = null;
const cache = new Map<string, Sticker>();

export const emojiStickers: StickerProvider = async (rng: Rng, size: number): Promise<Sticker | null> => {
  pool ??= loadEmojiEntries().filter((e) => e.files.google && !e.skinTone && !e.name.startsWith('flag'));
  if (pool.length === 0) return null;
  const e = pool[rng.int(pool.length)];
  const key = `${e.codepoint}@${size}`;
  let s = cache.get(key);
  if (!s) {
    s = { name: e.name, rgba: (await decodeToRgba(e.files.google as string, size)).data };
    if (cache.size < 4096) cache.set(key, s);
  }
  return s;
};
