/**
 * The README's main job on the committed models: `npx cm3leon generate "a red heart"` with no
 * other set-up (no memory bank: retrieval off, said on stderr) writes a PNG, its 4x copy and a
 * sidecar naming the shipped model; the same seed gives the same image.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-main-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('main job: generate from the committed model with no bank', () => {
  const outs = [join(dir, 'a'), join(dir, 'b')].map((out) => {
    const r = spawnSync(process.execPath, [main, 'generate', 'a red heart', '-n', '1', '--seed', '3', '--bank', join(dir, 'no-bank'), '-o', out],
      { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /bank/i);
    return out;
  });
  const files = readdirSync(outs[0]).sort();
  const png = files.find((f) => f.endsWith('.png') && !f.endsWith('.x4.png'))!;
  assert.ok(png && files.includes(png.replace('.png', '.x4.png')) && files.some((f) => f.endsWith('.json')), files.join(' '));
  const side = JSON.parse(readFileSync(join(outs[0], files.find((f) => f.endsWith('.json'))!), 'utf8')) as Record<string, unknown>;
  assert.match(JSON.stringify(side), /cm3leon-small/);
  assert.ok(existsSync(join(outs[1], png)));
  assert.deepEqual(readFileSync(join(outs[0], png)), readFileSync(join(outs[1], png)), 'same seed, same image');
});
