/**
 * tokenizer/image/metrics.ts — reconstruction quality: PSNR and SSIM (Gaussian window 11, sigma
 * 1.5, on 8-bit RGB, averaged over channels), as in the usual image-quality definitions.
 */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError('psnr: size mismatch');
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

const WIN = (() => {
  const w: number[] = [];
  let s = 0;
  for (let i = -5; i <= 5; i++) { const v = Math.exp(-(i * i) / (2 * 1.5 * 1.5)); w.push(v); s += v; }
  return w.map((v) => v / s);
})();

/** SSIM of two size x size RGB images (valid windows only). */
export function ssim(a: Uint8Array, b: Uint8Array, size: number): number {
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let total = 0, count = 0;
  for (let ch = 0; ch < 3; ch++) {
    for (let y = 5; y < size - 5; y++) {
      for (let x = 5; x < size - 5; x++) {
        let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
        for (let dy = -5; dy <= 5; dy++) {
          for (let dx = -5; dx <= 5; dx++) {
            const w = WIN[dy + 5] * WIN[dx + 5], i = ((y + dy) * size + (x + dx)) * 3 + ch;
            ma += w * a[i]; mb += w * b[i]; saa += w * a[i] * a[i]; sbb += w * b[i] * b[i]; sab += w * a[i] * b[i];
          }
        }
        const va = saa - ma * ma, vb = sbb - mb * mb, cov = sab - ma * mb;
        total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
        count++;
      }
    }
  }
  return total / count;
}
