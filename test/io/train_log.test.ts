/** startTrainLog: a fresh run empties the log, a resumed one keeps the rows up to its checkpoint. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startTrainLog } from '../../src/io/train_log.js';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const rows = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { step: number }).step);

test('a resumed run drops rows logged past its checkpoint; a fresh run starts empty; no log is fine', () => {
  const log = join(dir, 'train_log.jsonl');
  writeFileSync(log, [1, 2, 3, 4, 5].map((step) => JSON.stringify({ step, loss: 1 })).join('\n') + '\n');
  startTrainLog(log, 3);
  assert.deepEqual(rows(log), [1, 2, 3]);
  startTrainLog(log, 0);
  assert.deepEqual(rows(log), []);
  startTrainLog(join(dir, 'none.jsonl'), 5);
  assert.equal(existsSync(join(dir, 'none.jsonl')), false);
});
