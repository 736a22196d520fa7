/**
 * data/sources/avatar_colours.ts — hex colour -> plain English colour word for avatar captions:
 * nearest prototype (CIE Lab distance) in a small hand-made table, with hair-specific names
 * ("blonde" rather than "yellow"), plus a coarse skin-tone word.
 */

/** Prototype colours per name; a name may have several prototypes (light and dark variants). */
const TABLE: Record<string, string[]> = {
  black: ['000000', '1a1a1a', '2b2b2b'],
  grey: ['808080', 'a9a9a9', 'c0c0c0', '5a5a5a'],
  white: ['ffffff', 'f0f0f0', 'e8ecf8'],
  red: ['d01010', 'ab2a18', 'e24553', 'ff6f69', 'a62116', 'ae0001', 'c93305'],
  orange: ['f08020', 'cb6820', 'd56c0c', 'f29c65', 'e87a3a'],
  yellow: ['f4d150', 'ffd700', 'fdea6b', 'ffc425', 'f3b63a'],
  beige: ['f5e6c4', 'e5d7a3', 'ecdcbf', 'ffeead', 'f6d594'],
  brown: ['6a4e35', '562306', '8b5a2b', '3a1a00', '77311d', 'a0522d', '4a312c'],
  green: ['3eac2c', '44c585', '00b159', '6dbb58', '91cb15', '5f705c', '3d8a6b', '88d8b0'],
  teal: ['238d80', '009090', '54d7c7'],
  blue: ['2060d0', '456dff', '428bca', '059ff2', '5bc0de', '03396c', '6bd9e9', '9ddadb', '85c2c6', '2663a3'],
  'light blue': ['d2eff3', 'bfe3f5'],
  purple: ['7555ca', '592454', '614f8a', '9287ff', '8a2be2', 'd84be5'],
  lavender: ['e0ddff', 'd8c8f0'],
  pink: ['f55d81', 'dba3be', 'fc909f', 'e16381', 'ffb6c1', 'ffedef', 'cc6192', 'e279c7', 'f59797', 'e15c66'],
};

/** Names used for hair instead of the general word. */
const HAIR_RENAME: Record<string, string> = { yellow: 'blonde', beige: 'blonde', 'light blue': 'light blue', lavender: 'lavender' };

type Lab = [number, number, number];

function hexToLab(hex: string): Lab {
  const h = hex.replace(/^#/, '');
  if (!/^[0-9a-fA-F]{6}$/.test(h)) throw new RangeError(`bad hex colour '${hex}'`);
  const lin = (c: number) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const r = lin(parseInt(h.slice(0, 2), 16)), g = lin(parseInt(h.slice(2, 4), 16)), b = lin(parseInt(h.slice(4, 6), 16));
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const PROTOS: { name: string; lab: Lab }[] = Object.entries(TABLE)
  .flatMap(([name, hexes]) => hexes.map((h) => ({ name, lab: hexToLab(h) })));

/** Nearest general colour word ('red', 'light blue', 'beige'...). */
export function colourName(hex: string): string {
  const l = hexToLab(hex);
  let best = PROTOS[0], bd = Infinity;
  for (const p of PROTOS) {
    const d = (p.lab[0] - l[0]) ** 2 + (p.lab[1] - l[1]) ** 2 + (p.lab[2] - l[2]) ** 2;
    if (d < bd) { bd = d; best = p; }
  }
  return best.name;
}

/** Colour word for hair: 'blonde' for yellows/beiges, otherwise the general word. */
export function hairColourName(hex: string): string {
  const n = colourName(hex);
  return HAIR_RENAME[n] ?? n;
}

/** Coarse skin tone from lightness: 'light' | 'medium' | 'dark'. */
export function skinTone(hex: string): string {
  const L = hexToLab(hex)[0];
  return L >= 78 ? 'light' : L >= 55 ? 'medium' : 'dark';
}
