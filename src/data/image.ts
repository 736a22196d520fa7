/**
 * data/image.ts — image I/O for datasets through well-kept libraries: resvg rasterises SVG, sharp
 * decodes/resizes/encodes PNG. Every image is normalised to size x size RGB on white.
 */
import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';

export interface Rgb { data: Uint8Array; width: number; height: number }

/** Composite RGBA over white -> RGB. */
export function rgbaOverWhite(rgba: Uint8Array | Buffer, width: number, height: number): Rgb {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height * 4; i += 4, j += 3) {
    const a = rgba[i + 3] / 255;
    out[j] = Math.round(rgba[i] * a + 255 * (1 - a));
    out[j + 1] = Math.round(rgba[i + 1] * a + 255 * (1 - a));
    out[j + 2] = Math.round(rgba[i + 2] * a + 255 * (1 - a));
  }
  return { data: out, width, height };
}

/** resvg returns premultiplied RGBA; convert in place to straight alpha. */
function unpremultiply(px: Uint8Array): Uint8Array {
  for (let i = 0; i < px.length; i += 4) {
    const a = px[i + 3];
    if (a === 0 || a === 255) continue;
    for (let c = 0; c < 3; c++) px[i + c] = Math.min(255, Math.round((px[i + c] * 255) / a));
  }
  return px;
}

/** Rasterise an SVG document to size x size straight-alpha RGBA (fit to width; non-square art is centred). */
export function svgToRgba(svg: string, size: number): { data: Uint8Array; width: number; height: number } {
  const r = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render();
  const w = r.width, h = r.height;
  const src = unpremultiply(new Uint8Array(r.pixels));
  if (w === size && h === size) return { data: new Uint8Array(src), width: size, height: size };
  // Centre on a transparent size x size canvas (crop if taller).
  const out = new Uint8Array(size * size * 4);
  const oy = Math.floor((size - h) / 2);
  for (let y = 0; y < Math.min(h, size); y++) {
    const ty = y + Math.max(0, oy), sy = y + Math.max(0, -oy);
    if (ty >= size || sy >= h) break;
    out.set(src.subarray(sy * w * 4, sy * w * 4 + Math.min(w, size) * 4), ty * size * 4);
  }
  return { data: out, width: size, height: size };
}

export function svgToRgb(svg: string, size: number): Rgb {
  const r = svgToRgba(svg, size);
  return rgbaOverWhite(r.data, size, size);
}

/** Decode any image sharp reads (PNG...) to size x size RGBA (contain, transparent padding). */
export async function decodeToRgba(input: Uint8Array | string, size: number): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(input).ensureAlpha()
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 }, kernel: 'lanczos3' })
    .raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

export async function decodeToRgb(input: Uint8Array | string, size: number): Promise<Rgb> {
  const r = await decodeToRgba(input, size);
  return rgbaOverWhite(r.data, size, size);
}

export async function encodePng(img: Rgb): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 6 }).toBuffer());
}

/** 8-bit grey PNG (masks: instance index per pixel). */
export async function encodeGreyPng(data: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(data), { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer());
}

/** Decode a single-channel (mask) PNG to one byte per pixel. */
export async function decodeMask(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Decode a PNG to raw pixels with sharp's channel count (3 for our images; use decodeMask for masks). */
export async function decodePng(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}
