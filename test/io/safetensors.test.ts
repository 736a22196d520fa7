// Tests for the raw safetensors reader/writer (src/io/safetensors.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SafetensorsError, bf16ToF32, decodeSafetensors, encodeSafetensors, f32ToBf16, readSafetensors, writeSafetensors,
  type SafeEntry,
} from '../../src/io/safetensors.js';

function withTmpDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-st-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Hand-build a file: u64 header length + header text (object is JSON-encoded) + `dataLen` zero bytes. */
function build(header: unknown, dataLen = 0, headerLen?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function f32Bits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

function sample(): Map<string, SafeEntry> {
  return new Map<string, SafeEntry>([
    ['w', { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, 1.5, -2, 3.25, 1e-30, -0]) }],
    ['h', { dtype: 'BF16', shape: [3], data: new Uint16Array([0x3f80, 0xc000, 0x7f80]) }],
    ['ids', { dtype: 'I32', shape: [2, 2], data: new Int32Array([-2147483648, -1, 0, 2147483647]) }],
    ['d', { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -1e300]) }],
    ['scalar', { dtype: 'F32', shape: [], data: new Float32Array([42]) }],
    ['empty', { dtype: 'I32', shape: [0], data: new Int32Array(0) }],
    ['empty2', { dtype: 'F64', shape: [3, 0], data: new Float64Array(0) }],
  ]);
}

test('round trip of all dtypes, metadata, scalar and empty tensors', () => {
  const tensors = sample();
  const meta = { format: 'pt', note: 'héllo ✓' };
  const bytes = encodeSafetensors(tensors, meta);
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0, 'data section is 8-byte aligned');
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, meta);
  assert.deepEqual([...back.tensors.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, t] of tensors) {
    const got = back.tensors.get(name)!;
    assert.equal(got.dtype, t.dtype, name);
    assert.deepEqual(got.shape, t.shape, name);
    assert.equal(got.data.constructor, t.data.constructor, name);
    assert.deepEqual(got.data, t.data, name);
  }
  assert.ok(Object.is(back.tensors.get('w')!.data[5], -0));
  // Tensors are laid out contiguously in sorted name order.
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  assert.deepEqual(names, [...names].sort());
  let expect = 0;
  for (const k of names) {
    assert.equal(header[k].data_offsets[0], expect, k);
    expect = header[k].data_offsets[1];
  }
  assert.equal(bytes.length, 8 + headerLen + expect);
  // A plain record works too, and no metadata decodes to {}.
  const rec = decodeSafetensors(encodeSafetensors({ x: { dtype: 'I32', shape: [1], data: new Int32Array([7]) } }));
  assert.deepEqual(rec.metadata, {});
  assert.deepEqual(rec.tensors.get('x')!.data, new Int32Array([7]));
});

test('decode copies data: unaligned input, no aliasing of the source buffer', () => {
  const bytes = encodeSafetensors(sample());
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 1); // force unaligned element offsets
  const back = decodeSafetensors(big.subarray(1, 1 + bytes.length));
  assert.deepEqual(back.tensors.get('d')!.data, new Float64Array([Math.PI, -1e300]));
  const w = back.tensors.get('w')!.data;
  big.fill(0xff);
  assert.equal(w[1], 1.5);
  assert.notEqual(w.buffer, big.buffer);
});

test('reads the Python-written fixture', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const rel = join('test', 'fixtures', 'python_written.safetensors');
  const candidates = [join(process.cwd(), rel)];
  for (let d = here; dirname(d) !== d; d = dirname(d)) candidates.push(join(d, rel));
  const path = candidates.find((p) => existsSync(p));
  assert.ok(path, `fixture not found (tried ${candidates.join(', ')})`);
  const f = readSafetensors(path);
  assert.deepEqual(f.metadata, { producer: 'python' });
  const a = f.tensors.get('a')!;
  assert.equal(a.dtype, 'F32');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(a.data, new Float32Array([0, 1, 2, 3, 4, 5]));
  const b = f.tensors.get('b')!;
  assert.equal(b.dtype, 'I32');
  assert.deepEqual(b.shape, [4]);
  assert.deepEqual(b.data, new Int32Array([-1, 0, 1, 2147483647]));
  assert.equal(f.tensors.size, 2);
});

test('bf16 conversion: exact values, ties to even, NaN, infinities', () => {
  const exact = new Float32Array([0, -0, 1, -2, 1.5, 0.15625, 65536, -3.125]);
  const bits = f32ToBf16(exact);
  assert.deepEqual(bits, new Uint16Array([0x0000, 0x8000, 0x3f80, 0xc000, 0x3fc0, 0x3e20, 0x4780, 0xc048]));
  assert.deepEqual(bf16ToF32(bits), exact);
  // Rounding: halfway cases go to the even mantissa, others to nearest.
  const r = f32ToBf16(f32Bits([0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0xbf808000, 0xbf818000, 0x7f7fffff]));
  assert.deepEqual(r, new Uint16Array([0x3f80, 0x3f82, 0x3f81, 0x3f80, 0xbf80, 0xbf82, 0x7f80]));
  // Infinities stay infinite; NaNs (even ones whose payload is only in the low bits) stay quiet NaNs.
  const special = f32ToBf16(f32Bits([0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xff800001, 0x7fa00000]));
  assert.equal(special[0], 0x7f80);
  assert.equal(special[1], 0xff80);
  for (const v of special.subarray(2)) {
    assert.equal(v & 0x7f80, 0x7f80);
    assert.ok((v & 0x0040) !== 0, `quiet NaN bit set in ${v.toString(16)}`);
  }
  assert.equal(special[4] & 0x8000, 0x8000, 'NaN sign preserved');
  const back = bf16ToF32(special);
  assert.equal(back[0], Infinity);
  assert.equal(back[1], -Infinity);
  for (const v of back.subarray(2)) assert.ok(Number.isNaN(v));
  // Every non-NaN bf16 value survives bf16 -> f32 -> bf16 exactly.
  const all = new Uint16Array(65536).map((_, i) => i);
  const again = f32ToBf16(bf16ToF32(all));
  for (let i = 0; i < 65536; i++) {
    if ((i & 0x7fff) > 0x7f80) continue;
    if (again[i] !== i) assert.fail(`bf16 0x${i.toString(16)} round-tripped to 0x${again[i].toString(16)}`);
  }
  // Works on a Float32Array view with a byte offset.
  const view = new Float32Array(new Float32Array([9, 1, 2]).buffer, 4, 2);
  assert.deepEqual(f32ToBf16(view), new Uint16Array([0x3f80, 0x4000]));
});

test('atomic write: file replaced, no temp files left, failures leave nothing', () => {
  withTmpDir((dir) => {
    const path = join(dir, 'model.safetensors');
    writeSafetensors(path, sample(), { v: '1' });
    writeSafetensors(path, { x: { dtype: 'F32', shape: [1], data: new Float32Array([3]) } }, { v: '2' });
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    const f = readSafetensors(path);
    assert.deepEqual(f.metadata, { v: '2' });
    assert.deepEqual([...f.tensors.keys()], ['x']);

    const missing = join(dir, 'no-such-dir', 'm.safetensors');
    assert.throws(() => writeSafetensors(missing, sample()), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);

    const bad = { x: { dtype: 'F32', shape: [2], data: new Float32Array(3) } } as Record<string, SafeEntry>;
    assert.throws(() => writeSafetensors(join(dir, 'bad.safetensors'), bad), SafetensorsError);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    assert.deepEqual(readSafetensors(path).metadata, { v: '2' }, 'old file intact');
  });
});

test('encode validates shapes, dtypes and array types', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ t: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }, /"t".*data length 3 != .*= 4/],
    [{ t: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }, /"t".*F32 requires a Float32Array/],
    [{ t: { dtype: 'BF16', shape: [2], data: new Float32Array(2) } }, /"t".*BF16 requires a Uint16Array/],
    [{ t: { dtype: 'F16', shape: [2], data: new Uint16Array(2) } }, /"t".*unsupported dtype F16.*F32, BF16, I32, F64/],
    [{ t: { dtype: 'I32', shape: [-1], data: new Int32Array(0) } }, /"t".*shape/],
    [{ t: { dtype: 'I32', shape: [1.5], data: new Int32Array(1) } }, /"t".*shape/],
    [{ __metadata__: { dtype: 'I32', shape: [1], data: new Int32Array(1) } }, /reserved/],
  ];
  for (const [tensors, re] of cases) {
    assert.throws(() => encodeSafetensors(tensors as Record<string, SafeEntry>), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  assert.throws(() => encodeSafetensors({}, { k: 5 as unknown as string }), SafetensorsError);
});

test('decode rejects malformed files with clear SafetensorsErrors', () => {
  const ok = (dtype: string, shape: unknown, offs: unknown) => ({ t: { dtype, shape, data_offsets: offs } });
  const cases: [string, Uint8Array, RegExp][] = [
    ['short file', new Uint8Array(5), /shorter than the 8-byte/],
    ['header past EOF', build('{}', 0, 1000n), /header length 1000 exceeds file size .*truncated/],
    ['huge header', build('{}', 0, 1n << 40n), /absurdly large/],
    ['max u64 header', build('{}', 0, (1n << 64n) - 1n), /absurdly large/],
    ['empty header', build(''), /not valid UTF-8 JSON/],
    ['bad JSON', build('{"t": '), /not valid UTF-8 JSON/],
    ['bad UTF-8', (() => { const b = build('{"x":1}'); b[10] = 0xff; return b; })(), /not valid UTF-8 JSON/],
    ['array header', build('[1,2]'), /not a JSON object/],
    ['null header', build('null'), /not a JSON object/],
    ['number header', build('42'), /not a JSON object/],
    ['metadata not object', build({ __metadata__: ['a'] }), /__metadata__ must be an object/],
    ['metadata null', build({ __metadata__: null }), /__metadata__ must be an object/],
    ['metadata non-string', build({ __metadata__: { a: 1 } }), /__metadata__ value for "a" is not a string/],
    ['entry not object', build({ t: 3 }), /tensor "t": entry is not an object/],
    ['dtype F16', build(ok('F16', [1], [0, 2]), 2), /tensor "t": unsupported dtype "F16" \(supported: F32, BF16, I32, F64\)/],
    ['dtype U8', build(ok('U8', [1], [0, 1]), 1), /tensor "t": unsupported dtype "U8".*supported/],
    ['dtype missing', build({ t: { shape: [1], data_offsets: [0, 4] } }, 4), /tensor "t": unsupported dtype/],
    ['shape string', build(ok('F32', 'x', [0, 4]), 4), /tensor "t": shape must be/],
    ['shape negative', build(ok('F32', [-1], [0, 4]), 4), /tensor "t": shape must be/],
    ['shape fraction', build(ok('F32', [1.5], [0, 4]), 4), /tensor "t": shape must be/],
    ['shape null dim', build(ok('F32', [null], [0, 4]), 4), /tensor "t": shape must be/],
    ['offsets one', build(ok('F32', [1], [0]), 4), /tensor "t": data_offsets must be two/],
    ['offsets three', build(ok('F32', [1], [0, 4, 8]), 8), /tensor "t": data_offsets must be two/],
    ['offsets strings', build(ok('F32', [1], ['0', '4']), 4), /tensor "t": data_offsets must be two/],
    ['offsets negative', build(ok('F32', [1], [-4, 0]), 4), /tensor "t": data_offsets must be two/],
    ['offsets fraction', build(ok('F32', [1], [0, 4.5]), 8), /tensor "t": data_offsets must be two/],
    ['begin > end', build(ok('F32', [1], [8, 4]), 8), /tensor "t": data_offsets begin 8 > end 4/],
    ['truncated data', build(ok('F32', [4], [0, 16]), 12), /tensor "t": .*beyond data section of 12 bytes \(truncated/],
    ['size mismatch', build(ok('F32', [2, 2], [0, 12]), 12), /tensor "t": byte length 12 != 4 elements \* 4 bytes/],
    ['huge shape', build(ok('F64', [1e15, 1e15], [0, 8]), 8), /tensor "t": byte length 8 !=/],
    ['overlap', build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I32', shape: [1], data_offsets: [4, 8] } }, 8),
      /tensor "b" overlaps tensor "a"/],
  ];
  for (const [label, bytes, re] of cases) {
    assert.throws(() => decodeSafetensors(bytes, 'bad.safetensors'), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `${label}: got ${String(e)}`);
      assert.match(e.message, /bad\.safetensors/, label);
      assert.match(e.message, re, label);
      return true;
    }, label);
  }
  // readSafetensors names the path in errors.
  withTmpDir((dir) => {
    const p = join(dir, 'trunc.safetensors');
    writeFileSync(p, encodeSafetensors(sample()).subarray(0, 100));
    assert.throws(() => readSafetensors(p), (e: unknown) => e instanceof SafetensorsError && e.message.includes(p));
  });
});

test('fuzz: truncated or mutated files decode or throw SafetensorsError only', () => {
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const valid = encodeSafetensors(sample(), { k: 'v' });
  const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
  const interesting = [0x00, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x39, 0x5b, 0x5d, 0x7b, 0x7d, 0xff];
  let ok = 0;
  let rejected = 0;
  for (let iter = 0; iter < 300; iter++) {
    let bytes = valid.slice();
    const mode = rand(4);
    if (mode === 0 || mode === 3) bytes = bytes.slice(0, rand(bytes.length + 1));
    if (mode >= 1) {
      const flips = 1 + rand(4);
      for (let k = 0; k < flips && bytes.length > 0; k++) {
        // Mostly hit the header (length prefix + JSON) where the structure lives.
        const pos = rand(4) === 0 ? rand(bytes.length) : rand(Math.min(headerEnd, bytes.length));
        bytes[pos] = rand(2) === 0 ? interesting[rand(interesting.length)] : rand(256);
      }
    }
    try {
      const f = decodeSafetensors(bytes, `fuzz-${iter}`);
      for (const t of f.tensors.values()) assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1));
      ok++;
    } catch (e) {
      if (!(e instanceof SafetensorsError)) assert.fail(`iteration ${iter}: non-SafetensorsError ${String(e)}`);
      rejected++;
    }
  }
  assert.equal(ok + rejected, 300);
  assert.ok(rejected > 0);
});

test('decode of raw file bytes from disk matches encode output', () => {
  withTmpDir((dir) => {
    const p = join(dir, 'x.safetensors');
    writeSafetensors(p, sample());
    assert.deepEqual(new Uint8Array(readFileSync(p)), encodeSafetensors(sample()));
  });
});

test('exportWeights drops optimizer state, keeps config, and bf16 halves the parameters', async () => {
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { saveCheckpoint, loadCheckpoint, exportWeights } = await import('../../src/io/checkpoint.js');
  const { Linear } = await import('../../src/nn/layers.js');
  const { AdamW } = await import('../../src/optim/adamw.js');
  const { Rng } = await import('../../src/tensor/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'cm3leon-export-'));
  try {
    const m = new Linear(64, 32, { rng: new Rng(1) }), opt = new AdamW(m.namedParameters(), { lr: 1e-3 });
    const src = join(dir, 'train.safetensors'), f32 = join(dir, 'f32.safetensors'), bf = join(dir, 'bf16.safetensors');
    saveCheckpoint(src, m, { optimizer: opt, config: { d: 64 }, step: 7 });
    assert.equal(exportWeights(src, f32).tensors, 2);
    exportWeights(src, bf, 'bf16');
    const back = new Linear(64, 32, { rng: new Rng(2) });
    const c = loadCheckpoint(f32, back);
    assert.deepEqual([c.config, c.step], [{ d: 64 }, 7]);
    assert.deepEqual(back.weight.toArray(), m.weight.toArray());
    assert.throws(() => loadCheckpoint(f32, back, opt), /no optimizer state/);
    loadCheckpoint(bf, back);
    back.weight.toArray().forEach((x, i) => assert.ok(Math.abs(x - m.weight.toArray()[i]) <= Math.abs(x) / 128 + 1e-30));
    assert.ok(statSync(bf).size < 0.6 * statSync(f32).size && statSync(f32).size < 0.4 * statSync(src).size);
    assert.throws(() => exportWeights(join(dir, 'missing'), f32), /ENOENT|no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
