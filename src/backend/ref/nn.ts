/**
 * ref/nn.ts — reference softmax, LayerNorm, RMSNorm, gather/scatter-add, cross-entropy, AdamW and
 * nearest-code search. Row-wise plain loops; see backend.ts for each contract.
 */
import type { FArray } from '../backend.js';

export function softmax(x: FArray, out: FArray, rows: number, n: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let m = -Infinity, nan = false;
    for (let i = 0; i < n; i++) { if (x[o + i] > m) m = x[o + i]; if (Number.isNaN(x[o + i])) nan = true; }
    if (nan || m === -Infinity || m === Infinity) { for (let i = 0; i < n; i++) out[o + i] = NaN; continue; }
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[o + i] - m);
    const ls = m + Math.log(s);
    for (let i = 0; i < n; i++) out[o + i] = log ? x[o + i] - ls : Math.exp(x[o + i] - ls);
  }
}

export function softmaxBackward(y: FArray, dy: FArray, dx: FArray, rows: number, n: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    if (log) {
      for (let i = 0; i < n; i++) s += dy[o + i];
      for (let i = 0; i < n; i++) dx[o + i] = dy[o + i] - Math.exp(y[o + i]) * s;
    } else {
      for (let i = 0; i < n; i++) s += dy[o + i] * y[o + i];
      for (let i = 0; i < n; i++) dx[o + i] = y[o + i] * (dy[o + i] - s);
    }
  }
}

export function layerNorm(x: FArray, w: FArray | null, b: FArray | null, out: FArray, mean: FArray, rstd: FArray,
  rows: number, n: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[o + i];
    const mu = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[o + i] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let i = 0; i < n; i++) out[o + i] = (x[o + i] - mu) * rs * (w ? w[i] : 1) + (b ? b[i] : 0);
  }
}

export function layerNormBackward(x: FArray, w: FArray | null, mean: FArray, rstd: FArray, dy: FArray, dx: FArray,
  dw: FArray | null, db: FArray | null, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n, mu = mean[r], rs = rstd[r];
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const g = dy[o + i] * (w ? w[i] : 1), xh = (x[o + i] - mu) * rs;
      s1 += g;
      s2 += g * xh;
      if (dw) dw[i] += dy[o + i] * xh;
      if (db) db[i] += dy[o + i];
    }
    s1 /= n;
    s2 /= n;
    for (let i = 0; i < n; i++) {
      const g = dy[o + i] * (w ? w[i] : 1);
      dx[o + i] = rs * (g - s1 - (x[o + i] - mu) * rs * s2);
    }
  }
}

export function rmsNorm(x: FArray, w: FArray | null, out: FArray, rstd: FArray, rows: number, n: number,
  eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let v = 0;
    for (let i = 0; i < n; i++) v += x[o + i] * x[o + i];
    const rs = 1 / Math.sqrt(v / n + eps);
    rstd[r] = rs;
    for (let i = 0; i < n; i++) out[o + i] = x[o + i] * rs * (w ? w[i] : 1);
  }
}

export function rmsNormBackward(x: FArray, w: FArray | null, rstd: FArray, dy: FArray, dx: FArray, dw: FArray | null,
  rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n, rs = rstd[r];
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += dy[o + i] * (w ? w[i] : 1) * x[o + i];
      if (dw) dw[i] += dy[o + i] * x[o + i] * rs;
    }
    s = (s * rs * rs) / n;
    for (let i = 0; i < n; i++) dx[o + i] = rs * (dy[o + i] * (w ? w[i] : 1) - x[o + i] * s);
  }
}

/** Every id in [0, size) except `skip` (an ignore index); checked before any write. */
function checkIds(ids: Int32Array, n: number, size: number, what: string, where: string, skip?: number): void {
  for (let j = 0; j < n; j++) {
    if (ids[j] !== skip && (ids[j] < 0 || ids[j] >= size)) {
      throw new RangeError(`${what} ${ids[j]} at ${where} ${j} is out of range [0, ${size})`);
    }
  }
}

export function gather(src: FArray, outer: number, size: number, inner: number, idx: Int32Array, n: number,
  out: FArray): void {
  checkIds(idx, n, size, 'index', 'position');
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const s = (o * size + idx[j]) * inner, d = (o * n + j) * inner;
      for (let k = 0; k < inner; k++) out[d + k] = src[s + k];
    }
  }
}

export function scatterAdd(g: FArray, outer: number, size: number, inner: number, idx: Int32Array, n: number,
  dst: FArray): void {
  checkIds(idx, n, size, 'index', 'position');
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const s = (o * n + j) * inner, d = (o * size + idx[j]) * inner;
      for (let k = 0; k < inner; k++) dst[d + k] += g[s + k];
    }
  }
}

export function crossEntropy(x: FArray, rows: number, V: number, t: Int32Array, w: FArray | null, ignore: number,
  lse: FArray, rowLoss: FArray): void {
  checkIds(t, rows, V, 'target', 'row', ignore);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (x[o + j] > m) m = x[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(x[o + j] - m);
    lse[r] = m + Math.log(s);
    const wr = w ? w[r] : 1;
    rowLoss[r] = t[r] === ignore || wr === 0 ? 0 : wr * (lse[r] - x[o + t[r]]);
  }
}

export function crossEntropyBackward(x: FArray, rows: number, V: number, t: Int32Array, w: FArray | null,
  ignore: number, lse: FArray, scale: number, dx: FArray): void {
  checkIds(t, rows, V, 'target', 'row', ignore);
  for (let r = 0; r < rows; r++) {
    const o = r * V, c = t[r] === ignore ? 0 : scale * (w ? w[r] : 1);
    for (let j = 0; j < V; j++) dx[o + j] = c === 0 ? 0 : c * Math.exp(x[o + j] - lse[r]);
    if (c !== 0) dx[o + t[r]] -= c;
  }
}

export function adamw(p: FArray, g: FArray, m: FArray, v: FArray, n: number, lr: number, b1: number, b2: number,
  eps: number, wd: number, step: number): void {
  if (step < 1) throw new RangeError('adamw: step must be >= 1');
  const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
  for (let i = 0; i < n; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] = p[i] * (1 - lr * wd) - (lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
  }
}

export function vqNearest(x: FArray, N: number, D: number, c: FArray, K: number, idx: Int32Array, dist: FArray): void {
  if (K <= 0 || D <= 0) throw new RangeError('vqNearest: empty codebook');
  for (let r = 0; r < N; r++) {
    let best = Infinity, bi = 0;
    for (let k = 0; k < K; k++) {
      let d = 0;
      for (let j = 0; j < D; j++) d += (x[r * D + j] - c[k * D + j]) ** 2;
      if (d < best) { best = d; bi = k; }
    }
    idx[r] = bi;
    dist[r] = best;
  }
}
