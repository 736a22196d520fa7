/**
 * The engine on WebGPU in a real browser: web/webgpu.html (bundled by scripts/build-web.mjs) runs
 * in headless Chromium — WebGPU on SwiftShader's Vulkan, no GPU needed — trains the tiny CM3Leon
 * for a few AdamW steps resident on the page's navigator.gpu and decodes an image with CFG; the
 * losses must equal the CPU's within float32 reordering and the image ids exactly. Also the page
 * server: only web/ and dist/web/ are served. Skips without Chromium (Debian: chromium) with the
 * reason; under CI=true it fails instead (scripts/system-deps.sh installs it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareChecks } from '../../src/cli/web.js';
import { engineCheck, ENGINE_CHECK_STEPS, type EngineCheckResult } from '../../src/web/engine_check.js';
import { findChromium, runHeadless, servePage } from '../../src/web/serve.js';

const browser = findChromium();
if (!browser && (process.env.CI === 'true' || process.env.CM3LEON_REQUIRE_BROWSER === '1')) {
  throw new Error('no Chromium for the browser test (scripts/system-deps.sh installs it; or set CM3LEON_CHROMIUM)');
}

test('headless Chromium: the tiny CM3Leon trains and decodes on navigator.gpu like on the CPU', { skip: browser ? false : 'no Chromium (apt-get install chromium, or CM3LEON_CHROMIUM=PATH)', timeout: 240_000 }, async () => {
  const got = await runHeadless(browser as string) as EngineCheckResult | { error: string };
  assert.ok(!('error' in got), `the page failed: ${'error' in got ? got.error : ''}`);
  const cpu = await engineCheck(null);
  assert.match(got.device, /\(browser\)/, 'the page used navigator.gpu');
  assert.ok(got.resident && !cpu.resident, 'the page kept every parameter on its GPU');
  assert.equal(got.losses.length, ENGINE_CHECK_STEPS);
  assert.ok(cpu.losses[ENGINE_CHECK_STEPS - 1] < cpu.losses[0] - 0.1, `the loss falls: ${cpu.losses}`);
  const { lossRel, sameTokens } = compareChecks(cpu, got);
  console.log(`# browser ${got.seconds.toFixed(2)} s vs cpu ${cpu.seconds.toFixed(2)} s; largest relative loss difference ${lossRel.toExponential(2)}`);
  assert.ok(lossRel < 1e-5, `losses: browser ${got.losses} vs cpu ${cpu.losses}`);
  assert.ok(sameTokens, `image ids: browser ${got.tokens} vs cpu ${cpu.tokens}`);
});

test('the page server serves the page and its bundle, nothing else', async () => {
  const page = await servePage();
  try {
    const get = async (p: string) => (await fetch(new URL(p, page.url))).status;
    assert.equal(await get('/'), 200);
    assert.equal(await get('/dist/web/browser_check.js'), 200);
    for (const p of ['/package.json', '/src/web/serve.ts', '/web/../package.json', '/dist/web/../../package.json', '/dist/src/index.js']) {
      assert.equal(await get(p), 404, p);
    }
    await fetch(new URL('/result', page.url), { method: 'POST', body: '{"device":"x"}' });
    assert.deepEqual(await page.result, { device: 'x' });
  } finally {
    page.close();
  }
});
