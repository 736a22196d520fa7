/**
 * data/packages.ts — locate an installed npm package's folder (the data sources read art and
 * metadata files shipped inside packages). Resolves `<pkg>/package.json`; when a package's
 * `exports` map sends that elsewhere (Tabler) or blocks it, falls back to the resolver's search
 * paths. `marker` is a file that must exist in the folder.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const req = createRequire(import.meta.url);

export function packageDir(pkg: string, marker = 'package.json'): string {
  try {
    const dir = dirname(req.resolve(`${pkg}/package.json`));
    if (existsSync(join(dir, marker))) return dir;
  } catch { /* fall through */ }
  for (const p of req.resolve.paths(pkg) ?? []) {
    const dir = join(p, ...pkg.split('/'));
    if (existsSync(join(dir, marker))) return dir;
  }
  throw new Error(`${pkg}: package folder not found (is it installed? run \`npm ci\`)`);
}
