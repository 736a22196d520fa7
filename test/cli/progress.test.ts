/** The progress line: printed every `every` units off a TTY; a resumed training run's ETA uses its own steps. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from '../../src/cli/progress.js';

function sink(): { out: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  return { out: { isTTY: false, write: (s: string) => { lines.push(s.trim()); return true; } } as unknown as NodeJS.WriteStream, lines };
}

test('off a TTY the line is printed every `every` units and at the end', () => {
  const s = sink(), bar = new Progress(10, 'job', 4, s.out);
  for (let i = 1; i <= 10; i++) bar.update(i, `at ${i}`);
  assert.deepEqual(s.lines.map((l) => l.split(' |')[0]), ['job 4/10 at 4', 'job 8/10 at 8', 'job 10/10 at 10']);
});

test('step(): a run resumed at step 9,000 of 10,000 estimates from its own steps, not from 9,000', () => {
  let clock = 0;
  const s = sink(), bar = new Progress(10_000, 'train', 1, s.out, () => clock);
  clock = 2000;
  bar.step(9001, 'x'); // one step in 2 s: 999 more take 1,998 s (counting 9,001 done would say 0 s)
  clock = 4000;
  bar.step(9002, 'x');
  assert.deepEqual(s.lines.map((l) => /ETA (\d+)s/.exec(l)![1]), ['1998', '1996']);
});
