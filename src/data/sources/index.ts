/** data/sources/index.ts — the registry of data sources by name (build order = this order). */
import type { Source, SourceName } from '../record.js';
import { makeSceneSource } from '../synth/source.js';
import { emojiStickers } from '../synth/stickers.js';
import { avatarSource } from './avatar.js';
import { emojiSource } from './emoji.js';
import { flagSource } from './flag.js';
import { iconSource } from './icon.js';

export const SOURCES: Record<SourceName, Source> = {
  emoji: emojiSource,
  avatar: avatarSource,
  icon: iconSource,
  flag: flagSource,
  // Half of the scenes are drawn over a real Noto emoji (exact masks either way).
  scene: makeSceneSource({ stickers: emojiStickers }),
};

export const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];

export function parseSources(list: string): SourceName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new Error(`--sources is empty (choose from: ${SOURCE_NAMES.join(', ')})`);
  for (const n of names) {
    if (!(n in SOURCES)) throw new Error(`unknown data source "${n}" (choose from: ${SOURCE_NAMES.join(', ')})`);
  }
  return names as SourceName[];
}
