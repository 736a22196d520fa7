/**
 * web/browser_check.ts — the browser entry of web/webgpu.html (bundled by scripts/build-web.mjs):
 * runs web/engine_check.ts on the page's navigator.gpu and shows the result. With ?report in the
 * URL it also POSTs the result as JSON to /result (how test/web/browser.test.ts reads it back).
 */
import { openDevice } from '../tensor/index.js';
import { engineCheck, type EngineCheckResult } from './engine_check.js';

interface Page { document: { getElementById(id: string): { textContent: string } | null }; location: { search: string } }
const page = globalThis as unknown as Page;

async function main(): Promise<void> {
  const out = page.document.getElementById('out');
  const show = (s: string) => { if (out) out.textContent = s; };
  let result: EngineCheckResult | { error: string };
  try {
    show('opening the GPU (navigator.gpu)...');
    const rt = await openDevice();
    show('training the tiny CM3Leon and decoding an image on the GPU...');
    result = await engineCheck(rt);
    show(`ran on ${result.device} in ${result.seconds.toFixed(2)} s\nlosses: ${result.losses.map((l) => l.toFixed(5)).join(', ')}\n` +
      `greedy image ids (CFG 3): ${result.tokens.join(' ')}`);
  } catch (e) {
    result = { error: (e as Error).stack ?? String(e) };
    show(`failed: ${result.error}`);
  }
  if (page.location.search.includes('report')) await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
}

void main();
