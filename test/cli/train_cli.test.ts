/**
 * `cm3leon train` refuses a cached corpus that another retriever prepared (its documents'
 * retrieved neighbours would silently come from the wrong retriever), naming both and the fix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { saveCorpus } from '../../src/lm/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-train-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('train: a cached corpus from another retriever is refused with the fix', () => {
  const out = join(dir, 'run');
  mkdirSync(out);
  saveCorpus(join(out, 'corpus_train.safetensors'), {
    docs: [{ id: 'd0', concept: 'c', captions: [[1, 2]], codes: Array.from({ length: 64 }, (_, i) => i) }],
    embeddings: new Float32Array(4), dim: 4, neighbours: Int32Array.from([-1]), scores: new Float32Array(1), m: 1,
    meta: { retriever: 'retriever-000000000000' },
  });
  const r = spawnSync(process.execPath, [main, 'train', '--data', join(dir, 'no-data'), '--out', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /corpus_train\.safetensors was prepared with retriever retriever-000000000000, this run uses retriever-[0-9a-f]{12}: pass the same --retriever/);
});
