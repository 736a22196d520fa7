/**
 * bench/data.ts — `npm run bench -- data`: time `data build` of the real sources (emoji, avatar,
 * icon, flag) and of 5,000 synthetic scenes at 64 px into a temporary directory. Target: the
 * real sources in under 5 minutes on 2 cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset } from '../src/data/build.js';
import type { SourceName } from '../src/data/record.js';
import { machine, table } from './util.js';

export async function runDataBench(): Promise<void> {
  console.log(`# data build benchmark\n\nmachine: ${machine()}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bench-data-'));
  const rows: (string | number)[][] = [['source', 'records', 'skipped', 'seconds', 'records/s']];
  try {
    let total = 0;
    for (const s of ['emoji', 'avatar', 'icon', 'flag', 'scene'] as SourceName[]) {
      const t0 = Date.now();
      const m = await buildDataset({ out: join(dir, s), sources: [s], size: 64, seed: 0 });
      const sec = (Date.now() - t0) / 1000;
      if (s !== 'scene') total += sec;
      rows.push([s, m.count, m.sources[s].skipped, sec.toFixed(1), (m.count / sec).toFixed(0)]);
    }
    console.log(table(rows));
    console.log(`\nreal sources (emoji + avatar + icon + flag): ${total.toFixed(1)} s (target < 300 s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
