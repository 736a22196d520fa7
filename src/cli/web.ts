/**
 * cli/web.ts — `npx cm3leon web-check`: the engine on WebGPU in a browser. Serves web/webgpu.html
 * (the tiny CM3Leon trained and decoded on the page's navigator.gpu, src/web/engine_check.ts) for
 * any browser with WebGPU, or with --headless runs it in headless Chromium and compares the result
 * with the same job on this machine's CPU.
 */
import { parseArgs } from 'node:util';
import { engineCheck, type EngineCheckResult } from '../web/engine_check.js';
import { findChromium, runHeadless, servePage } from '../web/serve.js';

export const WEB_HELP = `cm3leon web-check — the engine on WebGPU in a browser

Usage:
  npx cm3leon web-check [--port 8080]
        Serve the page on http://127.0.0.1:PORT/ until Ctrl-C: open it in a browser with WebGPU
        (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu). It trains the tiny CM3Leon
        for a few steps and decodes an image, resident on the page's GPU.
  npx cm3leon web-check --headless [--browser /usr/bin/chromium]
        Run the page in headless Chromium (WebGPU on SwiftShader when there is no GPU) and compare
        its losses and image ids with the same job on the CPU; exits 1 when they differ.

The page's script is dist/web/browser_check.js, built by \`npm run build:web\` (npm run build does it).`;

function fail(msg: string): never {
  process.stderr.write(`cm3leon web-check: ${msg}\n`);
  process.exit(2);
}

/** Largest relative loss difference (Infinity when the runs differ in length or have none) and whether the ids agree. */
export function compareChecks(a: EngineCheckResult, b: EngineCheckResult): { lossRel: number; sameTokens: boolean } {
  const lossRel = a.losses.length !== b.losses.length || a.losses.length === 0 ? Infinity
    : Math.max(...a.losses.map((l, i) => Math.abs(l - b.losses[i]) / Math.max(1, Math.abs(l))));
  return { lossRel, sameTokens: a.tokens.join() === b.tokens.join() };
}

export async function runWebCheck(argv: string[]): Promise<void> {
  let v;
  try {
    v = parseArgs({ args: argv, strict: true, options: {
      help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, headless: { type: 'boolean' }, browser: { type: 'string' },
    } }).values;
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${WEB_HELP}`);
  }
  if (v.help) { process.stdout.write(`${WEB_HELP}\n`); return; }
  if (!v.headless) {
    const port = v.port === undefined ? 8080 : Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got "${v.port}"`);
    const page = await servePage(port).catch((e: Error) => fail(e.message));
    process.stdout.write(`serving ${page.url} (Ctrl-C to stop); results the page reports are printed here\n`);
    process.stdout.write(`${JSON.stringify(await page.result)}\n`);
    return new Promise(() => {}); // keep serving until interrupted
  }
  const browser = v.browser ?? findChromium();
  if (!browser) fail('no Chromium found (Debian: apt-get install chromium; or pass --browser PATH / set CM3LEON_CHROMIUM)');
  process.stderr.write(`running web/webgpu.html in headless ${browser}...\n`);
  const got = await runHeadless(browser).catch((e: Error) => fail(e.message)) as EngineCheckResult | { error: string };
  if ('error' in got) fail(`the page failed: ${got.error}`);
  const cpu = await engineCheck(null);
  const { lossRel, sameTokens } = compareChecks(cpu, got);
  process.stdout.write(`browser (${got.device}, ${got.seconds.toFixed(2)} s): losses ${got.losses.map((l) => l.toFixed(6)).join(' ')}\n` +
    `cpu (${cpu.seconds.toFixed(2)} s):            losses ${cpu.losses.map((l) => l.toFixed(6)).join(' ')}\n` +
    `largest relative loss difference ${lossRel.toExponential(2)}; image ids ${sameTokens ? 'identical' : `differ: ${got.tokens} vs ${cpu.tokens}`}\n`);
  if (!(lossRel < 1e-5) || !sameTokens) process.exitCode = 1;
}
