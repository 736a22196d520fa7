// scripts/build-native.mjs — build the C++ addon (npm's install step and `npm run build:native`).
// Checks Node >= 20, finds Node's headers next to the running node binary (no download: this
// machine class has no network beyond the package registries), then runs node-gyp.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`cm3leon needs Node.js >= 20 (this is ${process.version}).`);
  process.exit(1);
}
const args = ['rebuild', '-j', '2'];
const prefix = dirname(dirname(process.execPath));
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
else console.warn(`cm3leon: no Node headers under ${prefix}/include/node; node-gyp will use its own (may need network).`);
const r = spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error('\ncm3leon: building the native addon failed.\n' +
    'HINT: it needs g++, make, python3 and OpenBLAS: `bash scripts/system-deps.sh` installs them on Debian/Ubuntu.\n' +
    'The plain TypeScript reference backend still works without it (CM3LEON_BACKEND=ref), only slower.');
  process.exit(r.status ?? 1);
}
