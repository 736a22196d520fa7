/**
 * ref/attention.ts — reference scaled-dot-product attention over (B, T, H, D) strided operands,
 * the spec for native/kernels/attention.cc (causal offset Tk - Tq; keyMask 0 = padding; a row
 * with no visible key gives zeros and lse = -inf).
 */
import type { AttnShape, BTHD, FArray } from '../backend.js';

function at(x: BTHD, b: number, t: number, h: number): number {
  return b * x.sB + t * x.sT + h * x.sH;
}

/** Probabilities P (Tq, Tk) for one (b, h), plus row lse. */
function probs(q: BTHD, k: BTHD, s: AttnShape, b: number, h: number, P: Float64Array, lse: Float64Array): void {
  const off = s.Tk - s.Tq;
  for (let i = 0; i < s.Tq; i++) {
    let m = -Infinity;
    for (let j = 0; j < s.Tk; j++) {
      const visible = (!s.causal || j <= i + off) && (!s.keyMask || s.keyMask[b * s.Tk + j] !== 0);
      let v = -Infinity;
      if (visible) {
        v = 0;
        const qi = at(q, b, i, h), kj = at(k, b, j, h);
        for (let d = 0; d < s.D; d++) v += q.data[qi + d] * k.data[kj + d];
        v *= s.scale;
      }
      P[i * s.Tk + j] = v;
      if (v > m) m = v;
    }
    if (m === -Infinity) { P.fill(0, i * s.Tk, (i + 1) * s.Tk); lse[i] = -Infinity; continue; }
    let sum = 0;
    for (let j = 0; j < s.Tk; j++) sum += Math.exp(P[i * s.Tk + j] - m);
    lse[i] = m + Math.log(sum);
    for (let j = 0; j < s.Tk; j++) P[i * s.Tk + j] = Math.exp(P[i * s.Tk + j] - lse[i]);
  }
}

export function attention(q: BTHD, k: BTHD, v: BTHD, out: FArray, lse: FArray, s: AttnShape): void {
  const P = new Float64Array(s.Tq * s.Tk), L = new Float64Array(s.Tq);
  const HD = s.H * s.D;
  for (let b = 0; b < s.B; b++) {
    for (let h = 0; h < s.H; h++) {
      probs(q, k, s, b, h, P, L);
      for (let i = 0; i < s.Tq; i++) {
        lse[(b * s.H + h) * s.Tq + i] = L[i];
        for (let d = 0; d < s.D; d++) {
          let acc = 0;
          for (let j = 0; j < s.Tk; j++) acc += P[i * s.Tk + j] * v.data[at(v, b, j, h) + d];
          out[(b * s.Tq + i) * HD + h * s.D + d] = acc;
        }
      }
    }
  }
}

export function attentionBackward(q: BTHD, k: BTHD, v: BTHD, out: FArray, _lse: FArray, dout: FArray, dq: BTHD,
  dk: BTHD, dv: BTHD, s: AttnShape): void {
  const P = new Float64Array(s.Tq * s.Tk), L = new Float64Array(s.Tq), dS = new Float64Array(s.Tq * s.Tk);
  const HD = s.H * s.D;
  for (let b = 0; b < s.B; b++) {
    for (let h = 0; h < s.H; h++) {
      probs(q, k, s, b, h, P, L);
      const oq = (i: number) => (b * s.Tq + i) * HD + h * s.D;
      for (let i = 0; i < s.Tq; i++) {
        let di = 0;
        for (let d = 0; d < s.D; d++) di += out[oq(i) + d] * dout[oq(i) + d];
        for (let j = 0; j < s.Tk; j++) {
          let dp = 0;
          for (let d = 0; d < s.D; d++) dp += dout[oq(i) + d] * v.data[at(v, b, j, h) + d];
          dS[i * s.Tk + j] = P[i * s.Tk + j] * (dp - di);
        }
      }
      for (let i = 0; i < s.Tq; i++) {
        for (let d = 0; d < s.D; d++) {
          let acc = 0;
          for (let j = 0; j < s.Tk; j++) acc += dS[i * s.Tk + j] * k.data[at(k, b, j, h) + d];
          dq.data[at(dq, b, i, h) + d] = s.scale * acc;
        }
      }
      for (let j = 0; j < s.Tk; j++) {
        for (let d = 0; d < s.D; d++) {
          let ak = 0, av = 0;
          for (let i = 0; i < s.Tq; i++) {
            ak += dS[i * s.Tk + j] * q.data[at(q, b, i, h) + d];
            av += P[i * s.Tk + j] * dout[oq(i) + d];
          }
          dk.data[at(dk, b, j, h) + d] = s.scale * ak;
          dv.data[at(dv, b, j, h) + d] = av;
        }
      }
    }
  }
}
