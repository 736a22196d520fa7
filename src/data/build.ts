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
  /** Called every `every` items with running counts. */
  onProgress?: (p: { source: SourceName; written: number; skipped: number; done: boolean }) => void;
  batch?: number;
}

export async function buildDataset(o: BuildOptions): Promise<Manifest> {
  if (!Number.isInteger(o.size) || o.size < 8 || o.size > 1024) throw new RangeError(`--size must be an integer in [8, 1024], got ${o.size}`);
  const writer = await DatasetWriter.create(o.out);
  const onSignal = () => { writer.abort(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sources: Manifest['sources'] = {};
  const seen = new Set<string>();
  const splitOf = new Map<string, DataRecord['split']>();  // edit targets follow their original
  try {
    for (const name of o.sources) {
      const stat = { written: 0, skipped: 0, reasons: {} as Record<string, number> };
      sources[name] = stat;
      let batch: DataRecord[] = [];
      for await (const item of SOURCES[name].items({ size: o.size, seed: o.seed, limit: o.limit?.[name] })) {
        if (isSkipped(item)) {
          stat.skipped++;
          const reason = item.reason.split(':')[0].slice(0, 80);
          stat.reasons[reason] = (stat.reasons[reason] ?? 0) + 1;
        } else {
          if (seen.has(item.id)) throw new Error(`duplicate record id ${item.id} from source ${name}`);
          seen.add(item.id);
          const split = (item.edit && splitOf.get(item.edit.of)) || assignSplit(item, o.splits ?? DEFAULT_SPLITS);
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
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The fixed "tiny" subset used by tests: a few dozen items per source, seed 0, 64 px. */
export const TINY_LIMITS: Record<SourceName, number> = { emoji: 48, avatar: 24, icon: 24, flag: 12, scene: 24 };
