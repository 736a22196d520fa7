/**
 * data/synth/shapes.ts — exact, deterministic shape rasterisers for the procedural scenes, and the
 * colour table. No anti-aliasing: pixel (x, y) belongs to a shape iff its centre (x + 0.5, y + 0.5)
 * lies inside the analytic shape (boundary included). Every shape fits the square
 * [cx - r, cx + r] x [cy - r, cy + r], where r is its size (radius / half-size) in pixels.
 */

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'heart', 'diamond', 'cross', 'ring'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Exact RGB per colour name; none is white, so an object never looks like the white background. */
export const COLOURS = {
  red: [220, 40, 40],
  orange: [245, 140, 20],
  yellow: [240, 210, 30],
  green: [40, 160, 60],
  teal: [20, 150, 150],
  blue: [40, 80, 220],
  purple: [130, 60, 190],
  pink: [240, 120, 180],
  brown: [130, 80, 40],
  grey: [128, 128, 128],
  black: [20, 20, 20],
} as const satisfies Record<string, readonly [number, number, number]>;
export type ColourName = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];

/** Plural noun of a shape ("crosses"). */
export function pluralShape(shape: ShapeName): string {
  return shape === 'cross' ? 'crosses' : `${shape}s`;
}

// Star: 5 outer vertices on the unit circle (first one straight up; v points down) alternating
// with 5 inner vertices at radius STAR_INNER. Literal trig values keep the polygon bit-exact.
const C18 = 0.9510565162951535, S18 = 0.3090169943749474, C54 = 0.5877852522924731, S54 = 0.8090169943749475;
const STAR_INNER = 0.42;
const STAR: readonly number[] = [
  0, -1, STAR_INNER * C54, -STAR_INNER * S54,
  C18, -S18, STAR_INNER * C18, STAR_INNER * S18,
  C54, S54, 0, STAR_INNER,
  -C54, S54, -STAR_INNER * C18, STAR_INNER * S18,
  -C18, -S18, -STAR_INNER * C54, -STAR_INNER * S54,
];

/** Even-odd point-in-polygon test; poly is a flat [x0, y0, x1, y1, ...] list. */
function inPolygon(poly: readonly number[], u: number, v: number): boolean {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i], yi = poly[2 * i + 1], xj = poly[2 * j], yj = poly[2 * j + 1];
    if ((yi > v) !== (yj > v) && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const CROSS_ARM = 0.35; // half-width of a cross arm, as a fraction of r
const RING_INNER = 0.5; // inner radius of a ring, as a fraction of r
const HEART_X = 1.14, HEART_Y0 = 0.118, HEART_Y = 1.118;

/**
 * Is the point at offset (dx, dy) from the centre inside a shape of size r? (dy points down.)
 * Circles, rings, squares, diamonds and crosses compare unnormalised offsets (exact for
 * half-integer offsets); the others are tested in unit coordinates u = dx / r, v = dy / r.
 */
export function insideShape(shape: ShapeName, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'circle': return dx * dx + dy * dy <= r * r;
    case 'ring': {
      const d2 = dx * dx + dy * dy, ri = r * RING_INNER;
      return d2 <= r * r && d2 >= ri * ri;
    }
    case 'square': return Math.abs(dx) <= r && Math.abs(dy) <= r;
    case 'diamond': return Math.abs(dx) + Math.abs(dy) <= r;
    case 'cross': {
      const ax = Math.abs(dx), ay = Math.abs(dy), t = r * CROSS_ARM;
      return (ax <= r && ay <= t) || (ax <= t && ay <= r);
    }
    case 'triangle': {
      // Apex (0, -1), base from (-1, 0.8) to (1, 0.8).
      const u = dx / r, v = dy / r;
      return v >= -1 && v <= 0.8 && Math.abs(u) <= (v + 1) / 1.8;
    }
    case 'star': return inPolygon(STAR, dx / r, dy / r);
    case 'heart': {
      // (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0 (y up), scaled to fit [-1, 1]^2.
      const x = (dx / r) * HEART_X, y = HEART_Y0 - (dy / r) * HEART_Y;
      const q = x * x + y * y - 1;
      return q * q * q - x * x * y * y * y <= 0;
    }
  }
}

/** Pixel range [lo, hi) whose centres can fall inside [c - r, c + r], clipped to [0, n). */
function span(c: number, r: number, n: number): [number, number] {
  return [Math.max(0, Math.floor(c - r - 0.5)), Math.min(n, Math.ceil(c + r + 0.5))];
}

/**
 * Paint `value` into every pixel of a width x height grid whose centre is inside the shape;
 * returns the number of pixels painted (those inside the grid).
 */
export function paintShape(grid: Uint8Array, width: number, height: number, shape: ShapeName,
  cx: number, cy: number, r: number, value: number): number {
  if (grid.length !== width * height) throw new RangeError(`paintShape: grid has ${grid.length} cells, expected ${width * height}`);
  if (!(r > 0)) throw new RangeError(`paintShape: size must be > 0, got ${r}`);
  const [x0, x1] = span(cx, r, width), [y0, y1] = span(cy, r, height);
  let n = 0;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      if (insideShape(shape, x + 0.5 - cx, dy, r)) { grid[y * width + x] = value; n++; }
    }
  }
  return n;
}

/** Boolean coverage grid (1 inside, 0 outside) of one shape on a width x height canvas. */
export function coverage(shape: ShapeName, cx: number, cy: number, r: number, width: number, height = width): Uint8Array {
  const grid = new Uint8Array(width * height);
  paintShape(grid, width, height, shape, cx, cy, r, 1);
  return grid;
}
