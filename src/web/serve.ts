/**
 * web/serve.ts — serves web/webgpu.html and its bundle (dist/web/, from `npm run build:web`) on
 * loopback, collects the page's POSTed result, and can drive a headless Chromium at it (WebGPU on
 * SwiftShader when there is no GPU: the flags below). Used by `npx cm3leon web-check` and by
 * test/web/browser.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { projectRoot } from '../backend/native/binding.js';

export const BUNDLE = 'dist/web/browser_check.js';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

export interface PageServer {
  url: string;
  /** The first result the page POSTs to /result (parsed JSON). */
  result: Promise<unknown>;
  close(): void;
}

/** Serve the page on 127.0.0.1:port (0 = any free port); only web/ and dist/web/ are readable. */
export async function servePage(port = 0): Promise<PageServer> {
  const root = projectRoot();
  if (!existsSync(join(root, BUNDLE))) throw new Error(`${BUNDLE} is missing: build it with \`npm run build:web\``);
  let deliver: (v: unknown) => void = () => {};
  const result = new Promise<unknown>((resolve) => { deliver = resolve; });
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/result') {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        res.end('ok');
        try { deliver(JSON.parse(body)); } catch { deliver({ error: `unparsable result: ${body.slice(0, 200)}` }); }
      });
      return;
    }
    const rel = normalize(path === '/' ? 'web/webgpu.html' : path.slice(1));
    const ext = rel.slice(rel.lastIndexOf('.'));
    if (!(rel.startsWith('web/') || rel.startsWith('dist/web/')) || !TYPES[ext] || !existsSync(join(root, rel))) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    try {
      const body = readFileSync(join(root, rel));
      res.setHeader('content-type', TYPES[ext]);
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      resolve({ url: `http://127.0.0.1:${p}/`, result, close: () => server.close() });
    });
  });
}

/** A Chromium binary: $CM3LEON_CHROMIUM, else the Debian/Ubuntu locations; null when none. */
export function findChromium(): string | null {
  const candidates = [process.env.CM3LEON_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

/**
 * Open the page in headless Chromium with WebGPU enabled (SwiftShader's Vulkan when there is no
 * GPU) and wait for its result; kills the browser after `timeoutMs`.
 */
export async function runHeadless(browser: string, timeoutMs = 180_000): Promise<unknown> {
  const page = await servePage();
  const profile = mkdtempSync(join(tmpdir(), 'cm3leon-chromium-'));
  let child: ChildProcess | null = null, stderr = '';
  let timer: NodeJS.Timeout | undefined;
  let stop = async (): Promise<void> => {};
  // The whole process group (Chromium's GPU and renderer processes too), also if Node exits first.
  const killGroup = () => { if (child?.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); } } };
  try {
    child = spawn(browser, ['--headless=new', '--no-sandbox', '--no-first-run', '--enable-unsafe-webgpu', '--enable-features=Vulkan',
      '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader', `--user-data-dir=${profile}`, `${page.url}?report`],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const gone = new Promise<void>((resolve) => child!.once('close', () => resolve()));
    const exited = new Promise<never>((_, reject) => {
      child!.once('error', (e) => reject(new Error(`cannot start ${browser}: ${e.message}`)));
      child!.once('exit', (code) => reject(new Error(`${browser} exited (${code}) before the page reported:\n${stderr}`)));
    });
    exited.catch(() => {}); // after the result, killing the browser rejects it: nobody waits then
    stop = async () => {
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        killGroup();
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
    };
    process.once('exit', killGroup);
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no result from the page within ${timeoutMs / 1000} s:\n${stderr}`)), timeoutMs); });
    return await Promise.race([page.result, exited, timeout]);
  } finally {
    clearTimeout(timer);
    await stop();
    process.removeListener('exit', killGroup);
    page.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
}
