// scripts/build-web.mjs — bundles src/web/browser_check.ts (the engine, its WGSL kernels and the
// tiny engine check) for browsers into dist/web/browser_check.js with esbuild. Node-only modules
// the engine can reach (the native addon loader, the Node WebGPU package, fs/worker_threads for
// the CLI paths) are replaced by a stub that throws if ever called; the browser path never calls
// them. `process.env` reads become reads of an empty object.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeOnly = {
  name: 'node-only',
  setup(b) {
    b.onResolve({ filter: /^(node:|webgpu$|sharp$|@lancedb\/|tokenizers$)/ }, (a) => ({ path: a.path, namespace: 'node-only' }));
    b.onLoad({ filter: /.*/, namespace: 'node-only' }, (a) => ({
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${a.path} is not available in a browser`)}); };
module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' ? false : fail) });`,
      loader: 'js',
    }));
  },
};
await build({
  absWorkingDir: root,
  entryPoints: ['src/web/browser_check.ts'],
  outfile: 'dist/web/browser_check.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'process.env': '{}', 'process.platform': '"browser"' },
  banner: { js: 'globalThis.process ??= { env: {}, platform: "browser" };' },
  plugins: [nodeOnly],
});
console.log('built dist/web/browser_check.js');
