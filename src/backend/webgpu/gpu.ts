/// <reference types="@webgpu/types" />
/**
 * webgpu/gpu.ts — finding a WebGPU adapter and device: the browser's navigator.gpu, or in Node
 * the npm `webgpu` package (Dawn). In Node it tries Dawn's default backend (Vulkan on Linux)
 * and then its OpenGL ES backend in compatibility mode, which is what runs on a machine without a
 * GPU (Mesa llvmpipe through EGL, surfaceless). CM3LEON_WEBGPU_BACKEND=vulkan|opengles|default
 * pins one. The device asks for the adapter's largest buffer limits: logits of one training batch
 * exceed WebGPU's default 128 MiB binding size.
 */

export interface GpuHandle {
  device: GPUDevice;
  /** e.g. "nvidia (vulkan) NVIDIA H100 80GB HBM3" or "mesa (opengles) llvmpipe". */
  description: string;
  /** Which Dawn backend answered ('browser' outside Node). */
  backend: string;
  hasF16: boolean;
}

const LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupsPerDimension'] as const;

/** Storage buffers the widest kernel binds (attention backward). */
export const MIN_STORAGE_BUFFERS = 8;

interface Attempt { backend: string; gpu: GPU; compat: boolean }

/**
 * Dawn's instances and adapters must outlive their devices: one collected by the GC while its
 * device still works crashes the process (mutex assertions in map callbacks). Held here forever.
 */
const keepAlive: unknown[] = [];

async function nodeAttempts(): Promise<Attempt[]> {
  let mod: { create(o: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new Error(`WebGPU in Node needs the npm package "webgpu" (Dawn), which did not load: ${(e as Error).message}`);
  }
  Object.assign(globalThis, mod.globals);
  // Mesa's EGL needs a platform when there is no display; harmless where there is a GPU.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const pin = process.env.CM3LEON_WEBGPU_BACKEND ?? '';
  const out: Attempt[] = [];
  if (pin === '' || pin === 'default' || pin === 'vulkan') {
    out.push({ backend: pin === 'vulkan' ? 'vulkan' : 'default', gpu: mod.create(pin === 'vulkan' ? ['backend=vulkan'] : []), compat: false });
  }
  if (pin === '' || pin === 'opengles') out.push({ backend: 'opengles', gpu: mod.create(['backend=opengles']), compat: true });
  if (out.length === 0) throw new Error(`CM3LEON_WEBGPU_BACKEND must be vulkan, opengles or default, got "${pin}"`);
  return out;
}

/** The first working adapter and a device with its largest limits; a clear error when there is none. */
export async function requestGpu(): Promise<GpuHandle> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  const inBrowser = typeof (globalThis as { window?: unknown }).window !== 'undefined' && nav?.gpu;
  const attempts: Attempt[] = inBrowser ? [{ backend: 'browser', gpu: nav!.gpu!, compat: false }] : await nodeAttempts();
  const tried: string[] = [];
  for (const a of attempts) {
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await a.gpu.requestAdapter(a.compat ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {});
    } catch (e) {
      tried.push(`${a.backend}: ${(e as Error).message}`);
      continue;
    }
    if (!adapter) { tried.push(`${a.backend}: no adapter`); continue; }
    const need = adapter.limits.maxStorageBuffersPerShaderStage;
    if (need < MIN_STORAGE_BUFFERS) {
      tried.push(`${a.backend}: only ${need} storage buffers per stage (need ${MIN_STORAGE_BUFFERS})`);
      continue;
    }
    const requiredLimits: Record<string, number> = {};
    for (const k of LIMITS) requiredLimits[k] = adapter.limits[k];
    const hasF16 = adapter.features.has('shader-f16');
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures: hasF16 ? ['shader-f16'] : [] });
    } catch (e) {
      tried.push(`${a.backend}: requestDevice failed: ${(e as Error).message}`);
      continue;
    }
    keepAlive.push(a.gpu, adapter, device);
    const info = adapter.info;
    const description = `${info.vendor || 'unknown vendor'} (${a.backend}) ${info.description || info.device || info.architecture || ''}`.trim();
    return { device, description, backend: a.backend, hasF16 };
  }
  throw new Error('no WebGPU adapter found (tried ' + tried.join('; ') + '). On Linux without a GPU, install Mesa ' +
    '(Debian: libegl1 libegl-mesa0 libgl1-mesa-dri) for the OpenGL ES path; with an NVIDIA GPU, libvulkan1 and the ' +
    'driver\'s Vulkan ICD. Use --device cpu to run on the CPU.');
}
