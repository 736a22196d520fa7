/**
 * The WebGPU runtime for tests of resident tensors, or the reason there is none. Without an
 * adapter the tests skip with that reason; under CI=true (or CM3LEON_REQUIRE_WEBGPU=1) a missing
 * adapter fails instead, so CI cannot skip them silently.
 */
import type { GpuRuntime } from '../../src/backend/webgpu/runtime.js';
import { openDevice } from '../../src/tensor/index.js';

export async function testDevice(): Promise<{ rt: GpuRuntime | null; skip: string | false }> {
  try {
    return { rt: await openDevice(), skip: false };
  } catch (e) {
    if (process.env.CM3LEON_REQUIRE_WEBGPU === '1' || process.env.CI === 'true') throw e;
    return { rt: null, skip: `no WebGPU adapter: ${(e as Error).message}` };
  }
}
