/**
 * data/synth/stickers.ts — real art as scene backgrounds: a sticker provider that picks a Noto
 * (google) emoji without skin tone, from the training split only, and decodes it to size x size RGBA, so synthetic shapes can be
 * laid over real artwork with exact masks (the sticker is background, mask 0).
 */
import { decodeToRgba } from '../image.js';
import { assignSplit } from '../splits.js';
import { loadEmojiEntries, type EmojiEntry } from '../sources/emoji.js';
import type { Rng } from '../../tensor/random.js';
import type { Sticker, StickerProvider } from './scene.js';

let pool: EmojiEntry[] | null = null;
const cache = new Map<string, Sticker>();
let cachedBytes = 0;
const CACHE_BYTES = 256 * 2 ** 20;

export const emojiStickers: StickerProvider = async (rng: Rng, size: number): Promise<Sticker | null> => {
  // Only emoji whose concept is in the training split: held-out art must not leak into train scenes.
  pool ??= loadEmojiEntries().filter((e) => e.files.google && !e.skinTone && !e.name.startsWith('flag') &&
    assignSplit({ source: 'emoji', style: 'google', concept: e.concept }) === 'train');
  if (pool.length === 0) return null;
  const e = pool[rng.int(pool.length)];
  const key = `${e.codepoint}@${size}`;
  let s = cache.get(key);
  if (!s) {
    try {
      s = { name: e.name, rgba: (await decodeToRgba(e.files.google as string, size)).data };
    } catch {
      return null;  // an unreadable sticker: this scene gets a plain background
    }
    if (cachedBytes + s.rgba.length <= CACHE_BYTES) { cache.set(key, s); cachedBytes += s.rgba.length; }
  }
  return s;
};
