/**
 * native/binding.ts — loads the C++ addon (build/Release/cm3leon_native.node) and types every
 * export. Only this folder imports the addon; native/index.ts adapts it to the Backend interface.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type F = Float32Array;
type I = Int32Array;

export interface NativeAddon {
  gemm(a: F, aOff: number, b: F, bOff: number, c: F, cOff: number, m: number, n: number, k: number, ta: number,
    tb: number, lda: number, ldb: number, ldc: number, alpha: number, beta: number, batch: number, sA: number,
    sB: number, sC: number): void;
  unary(op: number, x: F, out: F, n: number): void;
  unaryBackward(op: number, x: F, y: F, dy: F, dx: F, n: number): void;
  binary(op: number, a: F, aOff: number, aS: I, b: F, bOff: number, bS: I, out: F, shape: I): void;
  affine(x: F, out: F, n: number, alpha: number, beta: number): void;
  copy(src: F, sOff: number, sS: I, dst: F, dOff: number, dS: I, shape: I, acc: number): void;
  reduce(op: number, x: F, outer: number, n: number, inner: number, out: F, arg: I | null): void;
  sumSquares(x: F, n: number, out: Float64Array): void;
  softmax(x: F, out: F, rows: number, n: number, log: number): void;
  softmaxBackward(y: F, dy: F, dx: F, rows: number, n: number, log: number): void;
  layerNorm(x: F, w: F | null, b: F | null, out: F, mean: F, rstd: F, rows: number, n: number, eps: number): void;
  layerNormBackward(x: F, w: F | null, mean: F, rstd: F, dy: F, dx: F, dw: F | null, db: F | null, rows: number,
    n: number): void;
  rmsNorm(x: F, w: F | null, out: F, rstd: F, rows: number, n: number, eps: number): void;
  rmsNormBackward(x: F, w: F | null, rstd: F, dy: F, dx: F, dw: F | null, rows: number, n: number): void;
  gather(src: F, outer: number, size: number, inner: number, idx: I, n: number, out: F): void;
  scatterAdd(g: F, outer: number, size: number, inner: number, idx: I, n: number, dst: F): void;
  attention(...args: (F | number | null)[]): void;
  attentionBackward(...args: (F | number | null)[]): void;
  blasConfig(): string;
  crossEntropy(x: F, rows: number, V: number, t: I, w: F | null, ignore: number, lse: F, rowLoss: F): void;
  crossEntropyBackward(x: F, rows: number, V: number, t: I, w: F | null, ignore: number, lse: F, scale: number,
    dx: F): void;
  adamw(p: F, g: F, m: F, v: F, n: number, lr: number, b1: number, b2: number, eps: number, wd: number,
    step: number): void;
  vqNearest(x: F, N: number, D: number, c: F, K: number, idx: I, dist: F): void;
  setThreads(n: number): void;
  getThreads(): number;
}

/** The project root (the folder holding package.json), found from this module's location. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cm3leon: cannot find the package root');
    dir = up;
  }
  return dir;
}

let addon: NativeAddon | null = null;
let loadError: Error | null = null;

/** The addon, or null when it is not built (the caller decides whether that is an error). */
export function tryLoadNative(): NativeAddon | null {
  if (addon || loadError) return addon;
  const path = join(projectRoot(), 'build', 'Release', 'cm3leon_native.node');
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    loadError = new Error(`cannot load the native backend from ${path}: ${(e as Error).message}\n` +
      'HINT: build it with `npm run build:native` (needs g++ and libopenblas-dev; see README).');
  }
  return addon;
}

export function loadNative(): NativeAddon {
  const a = tryLoadNative();
  if (!a) throw loadError ?? new Error('native backend unavailable');
  return a;
}
