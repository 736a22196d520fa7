// The backend conformance suite (conformance.case.ts) on the WebGPU kernels, through the
// synchronous worker facade (src/backend/webgpu/sync.ts). Runs wherever Dawn finds an adapter: a
// GPU, or Mesa llvmpipe through OpenGL ES on machines without one (scripts/system-deps.sh installs
// Mesa). Elsewhere a missing adapter skips with the reason; under CI=true (or
// CM3LEON_REQUIRE_WEBGPU=1) it fails instead, so CI cannot skip the suite silently.
// The GEMM cases run a second time on the 128x128 tile (the default is 64x64) and a third with the
// skinny kernel off (few-row cases on the tiled kernel), on the same device: two Dawn devices in
// two threads crashed Mesa's llvmpipe now and then.
import { after, before, describe, test } from 'node:test';
import { createSyncWebGpu, type SyncWebGpu } from '../../src/backend/webgpu/sync.js';
import { gemmSuite } from './cases/gemm.js';
import { runBackendSuite } from './conformance.case.js';

let gpu: SyncWebGpu | null = null;
let why = '';
try {
  gpu = createSyncWebGpu();
} catch (e) {
  why = (e as Error).message;
  if (process.env.CM3LEON_REQUIRE_WEBGPU === '1' || process.env.CI === 'true') throw e;
}
if (gpu) {
  console.log(`# webgpu adapter: ${gpu.description}`);
  runBackendSuite('webgpu', () => gpu!);
  describe('backend conformance: webgpu, 128x128 GEMM tile', () => {
    before(() => gpu!.setEnv({ CM3LEON_WEBGPU_GEMM_TILE: 'large' }));
    after(() => gpu!.setEnv({ CM3LEON_WEBGPU_GEMM_TILE: undefined }));
    gemmSuite({ be: gpu!, it: (title, fn) => test(title, fn) });
  });
  describe('backend conformance: webgpu, tiled GEMM for few rows (CM3LEON_WEBGPU_SKINNY=0)', () => {
    before(() => gpu!.setEnv({ CM3LEON_WEBGPU_SKINNY: '0' }));
    after(() => gpu!.setEnv({ CM3LEON_WEBGPU_SKINNY: undefined }));
    gemmSuite({ be: gpu!, it: (title, fn) => test(title, fn) });
  });
  after(() => gpu?.close());
} else {
  test('backend conformance: webgpu', { skip: `no WebGPU adapter: ${why}` }, () => {});
}
