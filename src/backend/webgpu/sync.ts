/**
 * webgpu/sync.ts — the WebGPU kernels behind the ordinary synchronous, host-array Backend: every
 * call is shipped to a worker thread that owns the GPU device, uploads the arrays, runs the
 * kernel, reads the results back, and wakes this thread (Atomics.wait). Views of one host
 * ArrayBuffer become views of one device buffer, so aliasing (dq/dk/dv slices of one array)
 * behaves as on the CPU. This is how the conformance suite tests the WGSL kernels; it copies
 * every operand both ways on every call, so it is a test harness, not a way to train fast.
 */
import { receiveMessageOnPort, MessageChannel, Worker } from 'node:worker_threads';
import type { Backend } from '../backend.js';
import { walkArrays, type CallReply } from './sync_protocol.js';

export interface SyncWebGpu extends Backend {
  /** The adapter that answered, e.g. "mesa (opengles) llvmpipe". */
  readonly description: string;
  /** Set (or with undefined, delete) environment variables the kernels read, in the worker. */
  setEnv(vars: Record<string, string | undefined>): void;
  /** End the worker (the GPU device goes with it). */
  close(): void;
}

const METHODS = ['gemm', 'unary', 'unaryBackward', 'binary', 'affine', 'copy', 'reduce', 'sumSquares', 'softmax',
  'softmaxBackward', 'layerNorm', 'layerNormBackward', 'rmsNorm', 'rmsNormBackward', 'gather', 'scatterAdd',
  'attention', 'attentionBackward', 'crossEntropy', 'crossEntropyBackward', 'adamw', 'vqNearest'] as const;

/** Start the worker and wait (synchronously) for its device; throws the adapter error if none. */
export function createSyncWebGpu(timeoutMs = 120_000): SyncWebGpu {
  // A worker's process.env is its own copy: Mesa's EGL reads the real environment, set it here.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./sync_worker.js', import.meta.url), {
    workerData: { port: port2, flag }, transferList: [port2],
  });
  worker.unref();
  let dead: string | null = null;
  const call = (method: string, args: unknown[]): CallReply => {
    if (dead) throw new Error(`webgpu ${method}: the device worker is unusable (${dead})`);
    Atomics.store(flag, 0, 0);
    port1.postMessage({ method, args });
    if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
      // A late reply would be taken for the next call's: this facade is done.
      dead = `${method} gave no answer in ${timeoutMs} ms`;
      void worker.terminate();
      throw new Error(`webgpu ${dead}`);
    }
    const got = receiveMessageOnPort(port1);
    if (!got) throw new Error(`webgpu ${method}: woken without a reply`);
    const reply = got.message as CallReply;
    if (reply.error) throw new Error(reply.error);
    return reply;
  };
  const init = call('init', []);
  const backend: Record<string, unknown> = {
    name: 'webgpu',
    description: init.ret as string,
    setEnv: (vars: Record<string, string | undefined>) => { call('env', [vars]); },
    close: () => { void worker.terminate(); port1.close(); },
  };
  for (const m of METHODS) {
    backend[m] = (...args: unknown[]) => {
      const bufs = walkArrays(m, args);
      const reply = call(m, args);
      // Copy results back into the caller's arrays (every distinct ArrayBuffer, in walk order).
      bufs.forEach((b, i) => { new Uint8Array(b).set(new Uint8Array(reply.buffers[i])); });
      return reply.ret;
    };
  }
  return backend as unknown as SyncWebGpu;
}
