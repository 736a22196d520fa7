/**
 * data/build.ts — build a dataset: run the chosen sources, assign deterministic splits, write
 * records in batches to a LanceDB table (atomically swapped into place), count skips with their
 * reasons, report progress. Tiny builds (a few dozen items per source) serve tests.
 */
import type { DataRecord, SourceName } from './record.js';
import { isSkipped } from './record.js';
import { SOURCES } from './sources/index.js';
import { assignSplit, DEFAULT_SPLITS, type SplitPolicy } from './splits.js';
import { DatasetWriter, type Manifest } from './store.js';

export interface BuildOptions {
  out: string;
  sources: SourceName[];
  size: number;
  seed: number;
  /** Per-source item cap (undefined: each source's own full size / default). */
  limit?: Partial<Record<SourceName, number>>;
  splits?: SplitPolicy;
  /** Called every 100 items (and at the end of each source) with running counts. */
  onProgress?: (p: { source: SourceName; written: number; skipped: number; done: boolean }) => void;
  batch?: number;
  /** Abort the build (e.g. on Ctrl-C): the partial output is removed, `out` is left as it was. */
  signal?: AbortSignal;
}

/** A skip reason without file paths, so reasons group in the manifest. */
function reasonKey(reason: string): string {
  return reason.replace(/\/[^\s:]+/g, '<path>').split(':')[0].slice(0, 80);
}

/** Image sizes every source supports (scenes need >= 16 px to keep shapes apart). */
export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;

export async function buildDataset(o: BuildOptions): Promise<Manifest> {
  if (!Number.isInteger(o.size) || o.size < MIN_SIZE || o.size > MAX_SIZE) {
    throw new RangeError(`size must be an integer in [${MIN_SIZE}, ${MAX_SIZE}], got ${o.size}`);
  }
  if (o.sources.length === 0) throw new RangeError('no sources to build');
  const writer = await DatasetWriter.create(o.out);
  const sources: Manifest['sources'] = {};
  const seen = new Set<string>();
  const splitOf = new Map<string, DataRecord['split']>();  // edit targets follow their original
  try {
    for (const name of o.sources) {
      const stat = { written: 0, skipped: 0, reasons: {} as Record<string, number> };
      sources[name] = stat;
      let batch: DataRecord[] = [];
      const skip = (reason: string) => {
        stat.skipped++;
        const key = reasonKey(reason);
        stat.reasons[key] = (stat.reasons[key] ?? 0) + 1;
      };
      for await (const item of SOURCES[name].items({ size: o.size, seed: o.seed, limit: o.limit?.[name] })) {
        if (o.signal?.aborted) throw new Error('build aborted');
        if (isSkipped(item)) {
          skip(item.reason);
        } else {
          if (seen.has(item.id)) throw new Error(`duplicate record id ${item.id} from source ${name}`);
          seen.add(item.id);
          const split = assignSplit(item, o.splits ?? DEFAULT_SPLITS);
          if (item.edit && splitOf.get(item.edit.of) !== split) {
            // An edit pair must not straddle splits (the edit may change the concept).
            skip('edit target would land in another split than its original');
            continue;
          }
          if (!item.edit) splitOf.set(item.id, split);
          batch.push({ ...item, split });
          stat.written++;
          if (batch.length >= (o.batch ?? 512)) { await writer.add(batch); batch = []; }
        }
        if ((stat.written + stat.skipped) % 100 === 0) o.onProgress?.({ source: name, ...stat, done: false });
      }
      await writer.add(batch);
      o.onProgress?.({ source: name, ...stat, done: true });
    }
    return await writer.finish({ sources, options: { sources: o.sources, size: o.size, seed: o.seed, limit: o.limit ?? null, splits: o.splits ?? DEFAULT_SPLITS } });
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/** The fixed "tiny" subset used by tests: a few dozen items per source, seed 0, 64 px. */
export const TINY_LIMITS: Record<SourceName, number> = { emoji: 48, avatar: 24, icon: 24, flag: 12, scene: 24 };
