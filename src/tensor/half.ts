/**
 * tensor/half.ts — IEEE binary16 on the host: float32 → half bits with round-to-nearest-even
 * (subnormals included), back to a number, and the packing the WebGPU kernels read (two halves
 * per 32-bit word, element 2i in the low 16 bits: WGSL unpack2x16float). Converting on the host
 * keeps the rounding exact and the same everywhere (WGSL leaves the direction of its own f32 →
 * f16 conversions to the implementation).
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bits nearest to x (ties to even); beyond the range: infinity; NaN stays NaN. */
export function halfBits(x: number): number {
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000, exp = (b >>> 23) & 0xff, man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = h * 2^-24 = (man | 2^23) >> (14 - e).
    if (e < -10) return sign;
    const m = man | 0x800000, shift = 14 - e, rem = m & ((1 << shift) - 1), tie = 1 << (shift - 1);
    let h = m >>> shift;
    if (rem > tie || (rem === tie && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is still right
  return sign | h;
}

/** The value of binary16 bits h. */
export function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1, exp = (h >>> 10) & 0x1f, man = h & 0x3ff;
  if (exp === 0) return s * man * 2 ** -24;
  if (exp === 0x1f) return man ? NaN : s * Infinity;
  return s * (1024 + man) * 2 ** (exp - 25);
}

/** x rounded to binary16 and back (what a half-precision copy of x holds). */
export function roundHalf(x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = halfValue(halfBits(x[i]));
  return out;
}

/**
 * x as packed halves: ceil(n / 2) words, element 2i in the low 16 bits of word i. Throws when a
 * finite value does not fit in binary16 (|x| > 65504 after rounding), naming `what`.
 */
export function packHalf(x: ArrayLike<number>, what = 'values'): Int32Array {
  const out = new Int32Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) {
    const h = halfBits(x[i]);
    if ((h & 0x7c00) === 0x7c00 && Number.isFinite(x[i])) throw new RangeError(`${what}: element ${i} (${x[i]}) is outside the f16 range (|x| <= 65504)`);
    out[i >> 1] |= h << (16 * (i & 1));
  }
  return out;
}
