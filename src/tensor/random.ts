/**
 * random.ts — a seeded, platform-independent RNG (xoshiro128**, seeded by splitmix32) with the
 * distributions the project needs: uniform, normal, truncated normal, Poisson, multinomial.
 */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(((Math.imul(this.s1, 5) << 7) | (Math.imul(this.s1, 5) >>> 25)), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = ((this.s3 << 11) | (this.s3 >>> 21)) >>> 0;
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0;
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Normal(0, 1) truncated to [lo, hi] by rejection (lo < hi, interval holding some mass). */
  truncNormal(lo = -2, hi = 2): number {
    if (!(lo < hi)) throw new RangeError(`truncNormal needs lo < hi, got [${lo}, ${hi}]`);
    for (let i = 0; i < 10000; i++) {
      const z = this.normal();
      if (z >= lo && z <= hi) return z;
    }
    return Math.min(hi, Math.max(lo, 0));
  }

  /** Poisson(lambda): Knuth's product method for small lambda, PTRS (Hörmann 1993) above 10. */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poisson needs lambda >= 0, got ${lambda}`);
    if (lambda === 0) return 0;
    if (lambda < 10) {
      const L = Math.exp(-lambda);
      let k = 0, p = this.uniform();
      while (p > L) { k++; p *= this.uniform(); }
      return k;
    }
    const slam = Math.sqrt(lambda), loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b, invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = this.uniform() - 0.5, V = this.uniform(), us = 0.5 - Math.abs(U);
      const k = Math.floor((2 * a / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1)) return k;
    }
  }

  /** n draws of category indices from unnormalised non-negative weights. */
  multinomial(weights: ArrayLike<number>, n: number, replacement = true): number[] {
    const w = Array.from(weights);
    if (w.some((x) => !(x >= 0) || !Number.isFinite(x))) throw new RangeError('multinomial weights must be finite and >= 0');
    const out: number[] = [];
    for (let s = 0; s < n; s++) {
      let total = 0;
      for (const x of w) total += x;
      if (total <= 0) throw new RangeError(replacement ? 'multinomial weights sum to 0' : 'multinomial: not enough categories with weight > 0 for sampling without replacement');
      let r = this.uniform() * total, i = 0;
      while (i < w.length - 1 && (r >= w[i] || w[i] === 0)) { r -= w[i]; i++; }
      out.push(i);
      if (!replacement) w[i] = 0;
    }
    return out;
  }
}

/** log Gamma via Lanczos (g = 7, n = 9); accurate to ~1e-15 for x > 0. */
export function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
