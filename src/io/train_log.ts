/**
 * io/train_log.ts — the JSONL training log every trainer writes (one row per step). A fresh run
 * starts an empty log; a resumed run keeps the rows up to its checkpoint's step, since a killed
 * run may have logged past its last checkpoint and those steps are about to be trained again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

/** Prepare `log` for a run starting at `step` (0: a fresh run). */
export function startTrainLog(log: string, step: number): void {
  if (!existsSync(log)) return;
  const keep = step === 0 ? [] : readFileSync(log, 'utf8').split('\n').filter((l) => l && (JSON.parse(l) as { step: number }).step <= step);
  writeFileAtomic(log, Buffer.from(keep.map((l) => `${l}\n`).join(''), 'utf8'));
}
