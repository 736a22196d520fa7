/**
 * `cm3leon generate|caption|infill|infill-text` end to end on small random models (a tiny LM over
 * the committed text tokenizer, a 16 px image tokenizer, a tiny retriever) and a bank made with
 * `bank add`: outputs, sidecars with provenance, seeded determinism, and clear errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../../src/data/image.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { CM3Leon } from '../../src/model/cm3leon.js';
import { resolveCM3LeonConfig } from '../../src/model/cm3leon_presets.js';
import { RETRIEVER_PRESETS, RetrieverModel } from '../../src/retrieval/clip.js';
import { IMAGE_TOKENIZER_PRESETS } from '../../src/tokenizer/image/config.js';
import { ImageTokenizerModel } from '../../src/tokenizer/image/model.js';
import { Vocab } from '../../src/tokenizer/vocab.js';

const dir = mkdtempSync(join(tmpdir(), 'cm3leon-gen-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const vq = IMAGE_TOKENIZER_PRESETS.tiny;
const vocab = new Vocab({ textSize: 4096, imageCodes: vq.codebookSize, imageTokens: 16, maskSentinels: 16 });
const lmCfg = resolveCM3LeonConfig('tiny', [`vocab=${vocab.size}`, 'contextLength=160']);
const files = { model: join(dir, 'lm.safetensors'), retriever: join(dir, 'r.safetensors'), tokenizer: join(dir, 'vq.safetensors') };
const lm = new CM3Leon(lmCfg);
for (const p of lm.parameters()) for (let i = 0; i < p.size; i++) p.host[i] = Math.sin(i * 0.37 + p.size) * 0.05; // non-trivial logits
saveCheckpoint(files.model, lm, { config: lmCfg, metadata: { vocab: JSON.stringify(vocab.config) } });
const rc = { ...RETRIEVER_PRESETS.tiny, textVocab: 4096 };
saveCheckpoint(files.retriever, new RetrieverModel(rc), { config: rc });
saveCheckpoint(files.tokenizer, new ImageTokenizerModel(vq), { config: vq });
const bank = join(dir, 'bank'), out = join(dir, 'out'), img = join(dir, 'img.png');
const models = ['--model', files.model, '--retriever', files.retriever, '--tokenizer', files.tokenizer];
const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 120_000 });

test('generate, caption, infill and infill-text run from the CLI with provenance and seeded determinism', async () => {
  const px = new Uint8Array(16 * 16 * 3).fill(255);
  for (let i = 0; i < 64 * 3; i += 3) px.set([200, 30, 30], 16 * 3 * 4 + i);
  writeFileSync(img, await encodePng({ data: px, width: 16, height: 16 }));
  mkdirSync(join(dir, 'docs'));
  for (const n of ['red bar', 'blue bar']) { writeFileSync(join(dir, 'docs', `${n}.png`), readFileSync(img)); writeFileSync(join(dir, 'docs', `${n}.txt`), `a ${n}`); }
  let r = run('bank', 'add', join(dir, 'docs'), '--bank', bank, '--model', files.retriever, '--tokenizer', files.tokenizer);
  assert.equal(r.status, 0, r.stderr);

  const gen = (o: string) => run('generate', 'a red bar', '-n', '2', '--cfg', '3', '--decoder', 'mix', '--retrieve', '1', '--seed', '7', '-o', o, '--bank', bank, ...models);
  r = gen(out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /retrieved -?\d\.\d{3} user:/);
  for (const k of [1, 2]) for (const ext of ['png', 'x4.png', 'json']) assert.ok(existsSync(join(out, `a-red-bar-${k}.${ext}`)), `a-red-bar-${k}.${ext}`);
  const side = JSON.parse(readFileSync(join(out, 'a-red-bar-1.json'), 'utf8'));
  assert.equal(side.prompt, 'a red bar');
  assert.equal(side.settings.cfg, 3);
  assert.equal(side.retrieved.length, 1);
  assert.equal(side.codes.length, 16);
  assert.match(side.model, /lm\.safetensors/);
  r = gen(join(dir, 'out2'));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out2', 'a-red-bar-1.json'), 'utf8')).codes, side.codes, 'same seed, same image');
  // A bank embedded by another retriever is refused, not queried with incomparable vectors.
  const other = join(dir, 'r-other.safetensors'), oc = { ...rc, seed: rc.seed + 1 };
  saveCheckpoint(other, new RetrieverModel(oc), { config: oc });
  r = run('generate', 'a red bar', '--retrieve', '1', '--bank', bank, '--model', files.model, '--retriever', other, '--tokenizer', files.tokenizer);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bank .* was built with embedder "retriever-[0-9a-f]{12}" but the queries come from "retriever-[0-9a-f]{12}".*rebuild the bank/);

  r = run('caption', img, '-n', '2', '--retrieve', '0', ...models);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2);
  // VQA-style: the question precedes the masked span; answers are short (at most 8 tokens).
  r = run('caption', img, '-q', 'what colour is the bar?', '-n', '2', '--retrieve', '0', ...models);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2);
  r = run('infill', img, '--box', '4,4,8,8', 'a red bar', '-n', '1', '--retrieve', '0', '-o', out, ...models);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(out, 'img-png-infill-1.png')));
  r = run('infill-text', 'a red', 'on white', '-n', '1', '--retrieve', '0', ...models);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^a red\[.*\]on white/);
});

test('bad options and a missing bank give clear errors', () => {
  for (const [args, msg] of [
    [['generate', 'x', '--decoder', 'beam'], /--decoder must be one of/],
    [['generate', 'x', '-n', '1.5'], /-n must be a whole number/],
    [['generate', 'x', '--retrieve', '2', '--bank', join(dir, 'nobank')], /needs a memory bank/],
    [['infill', img, '--box', '10,10,10,10'], /--box must be x,y,w,h/],
    [['generate', 'x', '--model', join(dir, 'missing.safetensors')], /cannot load the model/],
  ] as const) {
    const a = args as readonly string[];
    // Never the machine's default bank (data/bank may exist, embedded by another retriever).
    const r = run(...args, ...(a.includes('--model') ? [] : models), ...(a.includes('--bank') ? [] : ['--bank', join(dir, 'nobank')]));
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});
