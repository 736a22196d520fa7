/** Loads the committed PyTorch golden fixture (dev/make_golden.py) as tensors. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, type SafeFile } from '../../src/io/safetensors.js';

export function fixturePath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'test', 'fixtures', name);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error(`fixture ${name} not found (HINT: regenerate with /usr/bin/python3 dev/make_golden.py)`);
    dir = up;
  }
}

export function loadFixture(name: string): SafeFile {
  return readSafetensors(fixturePath(name));
}
