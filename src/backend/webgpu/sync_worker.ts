/**
 * webgpu/sync_worker.ts — the worker side of sync.ts: owns the GPU device, turns each call's
 * host arrays into device views (one device buffer per distinct ArrayBuffer), runs the kernel,
 * reads every buffer back and wakes the caller.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createDeviceKernels, type DeviceKernels } from './kernels.js';
import { requestGpu } from './gpu.js';
import { GpuRuntime, type GArr } from './runtime.js';
import { walkArrays, type CallReply } from './sync_protocol.js';

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };
let rt: GpuRuntime | null = null;
let kernels: DeviceKernels | null = null;

function reply(r: CallReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(r, transfer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

async function handle(method: string, args: unknown[]): Promise<CallReply> {
  if (method === 'init') {
    const gpu = await requestGpu();
    gpu.device.addEventListener?.('uncapturederror', (e) => { lastError = (e as GPUUncapturedErrorEvent).error.message; });
    rt = await GpuRuntime.create(gpu.device);
    kernels = createDeviceKernels(rt);
    return { ret: gpu.description, buffers: [] };
  }
  if (method === 'env') {
    for (const [k, v] of Object.entries(args[0] as Record<string, string | undefined>)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    return { buffers: [] };
  }
  if (!rt || !kernels) throw new Error('webgpu worker: not initialised');
  const r = rt;
  const dev = new Map<ArrayBuffer, GArr>();
  const bufs = walkArrays(method, args, (a, set) => {
    const ab = a.buffer as ArrayBuffer;
    let whole = dev.get(ab);
    if (!whole) {
      whole = r.upload(new Int32Array(ab, 0, ab.byteLength >> 2));
      dev.set(ab, whole);
    }
    set({ buf: whole.buf, off: a.byteOffset >> 2, len: a.length } satisfies GArr);
  });
  // Every dispatch is recorded and submitted inside one validation scope: encoder.finish() (in
  // flush) is where binding conflicts surface, so flush before popping the scope.
  r.device.pushErrorScope('validation');
  let ret: unknown;
  let scopeOpen = true;
  try {
    if (method === 'sumSquares') {
      const out = r.alloc(1);
      kernels.sumSquaresInto(args[0] as GArr, args[1] as number, out);
      ret = (await r.read(out))[0];
      r.free(out);
    } else {
      (kernels as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args);
    }
    r.flush();
    scopeOpen = false;
    const err = await r.device.popErrorScope();
    if (err) throw new Error(`webgpu ${method}: ${err.message}`);
    // Bad ids throw here, before anything is copied back: the caller's arrays stay as they were.
    await r.checkErrors();
    const buffers: ArrayBuffer[] = [];
    for (const ab of bufs) {
      const g = dev.get(ab)!;
      buffers.push((await r.read({ buf: g.buf, off: 0, len: ab.byteLength >> 2 }, true)).buffer as ArrayBuffer);
    }
    await r.device.queue.onSubmittedWorkDone();
    if (lastError) throw new Error(`webgpu ${method}: ${lastError}`);
    return { ret, buffers };
  } finally {
    lastError = null;
    if (scopeOpen) await r.device.popErrorScope().catch(() => null);
    for (const g of dev.values()) g.buf.destroy();
  }
}

// Errors outside any scope (reported asynchronously by the device).

let lastError: string | null = null;
port.on('message', (msg: { method: string; args: unknown[] }) => {
  handle(msg.method, msg.args).then((r) => reply(r, r.buffers), (e: Error) => {
    rt?.discard();
    reply({ error: e.message, buffers: [] });
  });
});
parentPort?.on('close', () => process.exit(0));
