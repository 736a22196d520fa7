/**
 * Memory bank writes are atomic: a builder killed (SIGKILL) mid-build leaves the previous bank at
 * the target, and its partial folder is cleaned up later; a swap killed between its two renames is
 * undone on the next open; a writer killed mid-add leaves all of its batch or none of it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { MemoryBank } from '../../src/retrieval/bank.js';
import { sampleClustered } from '../../src/retrieval/synthetic.js';
import { Rng } from '../../src/tensor/index.js';
import { docsFrom } from '../helpers/bank_docs.js';

const CHILD = fileURLToPath(new URL('../helpers/bank_child.js', import.meta.url));
const DIM = 8;  // the child's dim
const OLD = 10;
let dir = '';

function child(...args: string[]): ChildProcess {
  return spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when the child prints `line`; rejects if it exits first. */
function printed(c: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    c.stdout!.on('data', (b: Buffer) => { out += b; if (out.split('\n').includes(line)) resolve(); });
    c.stderr!.on('data', (b: Buffer) => { err += b; });
    c.on('exit', (code) => reject(new Error(`child exited (${code}) before printing "${line}": ${err.slice(-500)}`)));
  });
}

function killed(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => { c.on('exit', () => resolve()); c.kill('SIGKILL'); });
}

async function oldBank(name: string): Promise<string> {
  const uri = join(dir, name);
  const bank = await MemoryBank.create(uri, { dim: DIM, embedder: 'old' });
  await bank.add(docsFrom(sampleClustered(new Float32Array(DIM).fill(1 / Math.sqrt(DIM)), { dim: DIM, clusters: 1, spread: 0.5 }, OLD, new Rng(0)), DIM));
  bank.close();
  return uri;
}

before(() => { dir = mkdtempSync(join(tmpdir(), 'cm3leon-bank-atomic-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('a build killed before finish() leaves the previous bank; its partial folder is removed later', async () => {
  const uri = await oldBank('bank');
  const c = child('build', uri);
  await printed(c, 'added');
  await killed(c);
  const partials = () => readdirSync(dir).filter((n) => n.startsWith('.bank.partial-'));
  assert.equal(partials().length, 1, 'the killed build left its partial folder');
  const bank = await MemoryBank.open(uri);
  assert.deepEqual([bank.manifest.embedder, await bank.count()], ['old', OLD]);
  bank.close();
  assert.deepEqual(partials(), [], 'a dead builder\'s partial folder is removed');
});

test('a swap killed between its renames is undone on the next open', async () => {
  const uri = await oldBank('swapped');
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  renameSync(uri, join(dir, `.swapped.old-${dead}`));  // what a builder killed mid-swap leaves
  const bank = await MemoryBank.open(uri);
  assert.equal(await bank.count(), OLD);
  bank.close();
  assert.ok(!existsSync(join(dir, `.swapped.old-${dead}`)));
});

test('an add killed while writing leaves all of its batch or none of it', async (t) => {
  const uri = await oldBank('added');
  const BATCH = 48, IMAGE = 1 << 20;  // 48 MiB of incompressible images: the write takes a while
  const data = join(uri, 'documents.lance', 'data');
  const c = child('add', uri, String(BATCH), String(IMAGE));
  await printed(c, 'adding');
  await new Promise<void>((resolve) => {
    const w = watch(data, () => { w.close(); resolve(); });  // the first data file of the add appears
  });
  await killed(c);
  const bank = await MemoryBank.open(uri);
  try {
    const n = await bank.count();
    t.diagnostic(`killed ${n === OLD ? 'before' : 'after'} the commit`);
    assert.ok(n === OLD || n === OLD + BATCH, `count ${n}: a partial batch is visible`);
    assert.equal((await bank.search(new Float32Array(DIM).fill(1), 3)).length, 3);
    const more = docsFrom(sampleClustered(new Float32Array(DIM).fill(1 / Math.sqrt(DIM)), { dim: DIM, clusters: 1, spread: 0.5 }, 5, new Rng(3)), DIM, 'after');
    await bank.add(more);
    assert.equal(await bank.count(), n + 5, 'the bank takes new writes');
  } finally { bank.close(); }
});
