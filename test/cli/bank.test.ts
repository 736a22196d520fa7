/**
 * `cm3leon bank add|search` end to end with small trained models (a tiny retriever on the committed
 * text tokenizer and a tiny image tokenizer, both 16 px): folder and JSONL sources, search with a
 * grid, and bad input (corrupt image, missing caption, duplicate id, another retriever) exiting 2
 * with a message and leaving the bank unchanged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../../src/data/image.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { RETRIEVER_PRESETS, RetrieverModel } from '../../src/retrieval/clip.js';
import { IMAGE_TOKENIZER_PRESETS } from '../../src/tokenizer/image/config.js';
import { ImageTokenizerModel } from '../../src/tokenizer/image/model.js';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-bankcli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const retrieverCfg = { ...RETRIEVER_PRESETS.tiny, textVocab: 4096 };
const model = join(dir, 'retriever.safetensors'), other = join(dir, 'other.safetensors'), vq = join(dir, 'vq.safetensors');
saveCheckpoint(model, new RetrieverModel(retrieverCfg), { config: retrieverCfg });
saveCheckpoint(other, new RetrieverModel({ ...retrieverCfg, seed: 99 }), { config: { ...retrieverCfg, seed: 99 } });
saveCheckpoint(vq, new ImageTokenizerModel(IMAGE_TOKENIZER_PRESETS.tiny), { config: IMAGE_TOKENIZER_PRESETS.tiny });
const bank = join(dir, 'bank');
const cli = (...args: string[]) => spawnSync(process.execPath, [main, 'bank', ...args, '--model', model, '--tokenizer', vq], { encoding: 'utf8', timeout: 120_000 });

async function square(rgb: number[]): Promise<Uint8Array> {
  const img = new Uint8Array(16 * 16 * 3).fill(255);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) img.set(rgb, (y * 16 + x) * 3);
  return encodePng({ data: img, width: 16, height: 16 });
}

test('add from a folder and a JSONL file, then search with a grid; bad input changes nothing', async () => {
  const folder = join(dir, 'mine');
  mkdirSync(folder);
  for (const [name, rgb] of [['red', [220, 20, 20]], ['green', [20, 200, 20]], ['blue', [20, 20, 220]]] as const) {
    writeFileSync(join(folder, `${name}.png`), await square([...rgb]));
    writeFileSync(join(folder, `${name}.txt`), `a ${name} square\n`);
  }
  let r = cli('add', folder, '--bank', bank);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /added 3 documents .*now 3/);
  const jsonl = join(dir, 'more.jsonl');
  writeFileSync(jsonl, `${JSON.stringify({ image: 'mine/red.png', caption: 'a crimson block', id: 'crimson' })}\n\n${JSON.stringify({ image: join(folder, 'blue.png'), caption: 'navy', id: 'navy' })}\n`);
  r = cli('add', jsonl, '--bank', bank);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /now 5/);

  const grid = join(dir, 'grid.png');
  r = cli('search', 'a red square', '--bank', bank, '-k', '3', '-o', grid);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 3);
  assert.match(r.stdout, /^1\. -?\d\.\d{3} {2}\S+ {2}/);
  assert.ok(existsSync(grid));
  const qfile = join(dir, 'queries.txt'), grid2 = join(dir, 'grid2.png');
  writeFileSync(qfile, 'a red square\n\na blue square\n');
  r = cli('search', '--queries', qfile, '--bank', bank, '-k', '2', '-o', grid2);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').filter((l) => !/^\d\./.test(l)), ['a red square', 'a blue square']);
  assert.ok(existsSync(grid2));

  for (const [args, msg] of [
    [['add', jsonl, '--bank', bank], /ids already in the memory bank/],
    [['add', join(dir, 'nope'), '--bank', bank], /no such file or folder/],
  ] as const) {
    r = cli(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
  }
  writeFileSync(join(folder, 'broken.png'), 'not a png');
  writeFileSync(join(folder, 'broken.txt'), 'broken');
  r = cli('add', folder, '--bank', bank);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.png: cannot read as an image/);
  rmSync(join(folder, 'broken.txt'));
  r = cli('add', folder, '--bank', bank);
  assert.match(r.stderr, /broken\.png: no caption file/);
  r = spawnSync(process.execPath, [main, 'bank', 'search', 'red', '--bank', bank, '--model', other, '--tokenizer', vq], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /built with embedder .* rebuild the bank/);
  r = cli('search', 'anything', '--bank', bank, '-k', '10');
  assert.equal(r.stdout.trim().split('\n').length, 5, 'the failed adds left the bank at 5 documents');
});
