/// <reference types="@webgpu/types" />
/**
 * webgpu/runtime.ts — what every WGSL kernel host-side needs: device buffer views (GArr), kernels
 * declared once with typed uniforms and bindings (the WGSL header is generated from the
 * declaration, so host and shader cannot disagree on layout), dispatch into one open compute pass,
 * and explicit async readback. Nothing here knows any op.
 *
 * Kernel convention: uniform `P` at binding 0 holds the declared params plus `<name>_off`, the
 * element offset of every bound array (buffers are bound whole: storage bindings need 256-byte
 * aligned offsets, element views do not). Arrays bind at 1.. in declaration order.
 */
import { kernelHeader, layoutFields, MAX_RANK, type Kernel, type KernelSpec } from './kernel_spec.js';

export { grid, kernelHeader, LINEAR_WG, MAX_GROUPS, MAX_RANK, threadMain, type BindKind, type Kernel, type KernelSpec, type ParamType } from './kernel_spec.js';

export interface GArr {
  buf: GPUBuffer;
  /** Element offset of the view. */
  off: number;
  /** Elements in the view. */
  len: number;
}

const UNIFORM_SLOT = 256;
const ARENA_BYTES = 1 << 20;
/**
 * Recorded dispatches are submitted in chunks of this many (CM3LEON_WEBGPU_SUBMIT_EVERY), so the
 * GPU runs the first kernels of a step while the host still records the rest.
 */
const SUBMIT_EVERY = Number(process.env.CM3LEON_WEBGPU_SUBMIT_EVERY) || 48;
const BIND_CACHE_MAX = 8192;

/** One device: kernel cache, buffer pool, the open command encoder and its uniform arena. */
export class GpuRuntime {
  readonly device: GPUDevice;
  private kernels = new Map<string, Kernel>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Uniform slots of the recorded dispatches; written once per submit (queue-ordered, so reusable). */
  private arena: GPUBuffer;
  private staging = new ArrayBuffer(ARENA_BYTES);
  private stagingU32 = new Uint32Array(this.staging);
  private stagingF32 = new Float32Array(this.staging);
  private stagingI32 = new Int32Array(this.staging);
  private used = 0;
  private pool = new Map<number, GPUBuffer[]>();
  /** Device-side validity flags (kernels cannot throw), read by checkErrors(). */
  private checks: { flag: GArr; explain: (flag: number) => Promise<string> }[] = [];
  dispatches = 0;
  /** Bind groups created (cache misses) and submits, for benchmarks. */
  bindGroupsCreated = 0;
  buffersCreated = 0;
  submits = 0;
  private sinceSubmit = 0;
  /**
   * Bind groups by (kernel, buffers; the uniform slot is a dynamic offset): a training step records
   * the same dispatches on the same pooled buffers every step, so most are reused.
   */
  private bindCache = new Map<string, GPUBindGroup>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  /** Whether WGSL fma() is a fused multiply-add on this device (probed by create()). */
  fusedFma = false;

  /** The adapter, in words (gpu.ts requestGpu's description), when known. */
  description = 'WebGPU device';

  /** A runtime with the device probed for the facts kernels depend on. */
  static async create(device: GPUDevice, description?: string): Promise<GpuRuntime> {
    const rt = new GpuRuntime(device);
    if (description) rt.description = description;
    rt.fusedFma = await probeFusedFma(rt);
    return rt;
  }

  /** The first validation/out-of-memory error reported outside an error scope; read() throws it. */
  private deviceError: string | null = null;

  constructor(device: GPUDevice) {
    this.device = device;
    device.addEventListener?.('uncapturederror', (e) => { this.deviceError ??= (e as GPUUncapturedErrorEvent).error.message; });
    this.arena = device.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  kernel(spec: KernelSpec): Kernel {
    const hit = this.kernels.get(spec.name);
    if (hit) return hit;
    const { fields, size } = layoutFields(spec);
    if (size > UNIFORM_SLOT) throw new Error(`${spec.name}: ${size} bytes of params exceed a ${UNIFORM_SLOT}-byte uniform slot`);
    const module = this.device.createShaderModule({ code: kernelHeader(spec, this.fusedFma) + spec.code, label: spec.name });
    // An explicit layout: the uniform slot is a dynamic offset, so a bind group depends only on the
    // buffers bound and is reused across dispatches and steps.
    const layout = this.device.createBindGroupLayout({
      label: spec.name,
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: size } },
        ...Object.values(spec.bindings).map((kind, j): GPUBindGroupLayoutEntry => ({
          binding: j + 1, visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'f32rw' || kind === 'i32rw' || kind === 'atomic' ? 'storage' : 'read-only-storage' },
        })),
      ],
    });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' }, label: spec.name,
    });
    const k: Kernel = { spec, pipeline, layout, fields, size, bindingNames: Object.keys(spec.bindings) };
    this.kernels.set(spec.name, k);
    return k;
  }

  /** A buffer of n 4-byte elements (contents undefined; pooled by size). */
  alloc(n: number): GArr {
    const bytes = Math.max(16, Math.ceil(n / 4) * 16);
    let buf = this.pool.get(bytes)?.pop();
    if (!buf) {
      buf = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      this.buffersCreated++;
    }
    return { buf, off: 0, len: n };
  }

  /** Give a buffer back to the pool (only whole buffers from alloc/upload). */
  free(a: GArr): void {
    const list = this.pool.get(a.buf.size) ?? [];
    list.push(a.buf);
    this.pool.set(a.buf.size, list);
  }

  upload(data: Float32Array | Int32Array): GArr {
    const a = this.alloc(data.length);
    // queue.writeBuffer runs before recorded-but-unsubmitted work: submit that first (a pooled buffer
    // may still be read by it).
    this.flush();
    if (data.length) this.device.queue.writeBuffer(a.buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return a;
  }

  /** Write host data into a view (queued in order with the dispatches). */
  write(a: GArr, data: Float32Array | Int32Array): void {
    this.flush();
    if (data.length) this.device.queue.writeBuffer(a.buf, a.off * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Record one dispatch of k over `groups` workgroups ([x, y, z]). */
  run(k: Kernel, params: Record<string, number | ArrayLike<number>>, arrays: Record<string, GArr>,
    groups: [number, number?, number?]): void {
    if (this.used + UNIFORM_SLOT > ARENA_BYTES) this.flush();
    const base = this.used;
    const u32 = this.stagingU32, f32 = this.stagingF32, i32 = this.stagingI32;
    for (const f of k.fields) {
      const i = (base + f.offset) / 4;
      if (f.array !== undefined && !(f.name in params)) {
        const a = arrays[f.array];
        u32[i] = a ? a.off : 0;
        continue;
      }
      const v = params[f.name];
      if (v === undefined) throw new Error(`${k.spec.name}: missing param ${f.name}`);
      if (f.type === 'u32x8') {
        const arr = v as ArrayLike<number>;
        if (arr.length > MAX_RANK) throw new RangeError(`${k.spec.name}: rank ${arr.length} > ${MAX_RANK}`);
        for (let j = 0; j < MAX_RANK; j++) u32[i + j] = j < arr.length ? arr[j] : 0;
      } else if (f.type === 'f32') f32[i] = v as number;
      else if (f.type === 'i32') i32[i] = v as number;
      else u32[i] = v as number;
    }
    this.used += UNIFORM_SLOT;
    const bufs: GPUBuffer[] = [];
    let key = k.spec.name;
    for (const name of k.bindingNames) {
      const a = arrays[name];
      if (!a) throw new Error(`${k.spec.name}: missing array ${name}`);
      if (!a.buf) {
        throw new TypeError(`${k.spec.name}: ${name} is in host memory while the op runs on the GPU (ops on GPU tensors must run ` +
          'while that device is in use: useDevice / onDevice)');
      }
      const b = a.buf;
      bufs.push(b);
      let id = this.bufferIds.get(b);
      if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
      key += `|${id}`;
    }
    let bind = this.bindCache.get(key);
    if (!bind) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena, offset: 0, size: k.size } }];
      bufs.forEach((buffer, j) => entries.push({ binding: j + 1, resource: { buffer } }));
      bind = this.device.createBindGroup({ layout: k.layout, entries });
      this.bindGroupsCreated++;
      if (this.bindCache.size >= BIND_CACHE_MAX) this.bindCache.clear();
      this.bindCache.set(key, bind);
    }
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(k.pipeline);
    this.pass.setBindGroup(0, bind, [base]);
    this.pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    this.dispatches++;
    if (++this.sinceSubmit >= SUBMIT_EVERY) this.flush();
  }

  /** Buffer-to-buffer copy of n elements, ordered with the dispatches. */
  copyBuffer(src: GArr, dst: GArr, n: number): void {
    if (n === 0) return;
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src.buf, src.off * 4, dst.buf, dst.off * 4, n * 4);
  }

  /** Zero a view, in order with the recorded work. */
  clear(a: GArr): void {
    if (a.len === 0) return;
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.clearBuffer(a.buf, a.off * 4, a.len * 4);
  }

  /** A zeroed buffer of n elements (cleared in order with the recorded work). */
  zeros(n: number): GArr {
    const a = this.alloc(n);
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.clearBuffer(a.buf);
    return a;
  }

  /**
   * Register a one-element flag a kernel sets when its input is invalid; checkErrors() reads it and
   * throws explain(value) when it is non-zero.
   */
  deferCheck(flag: GArr, explain: (flag: number) => Promise<string>): void {
    this.checks.push({ flag, explain });
  }

  /** Drop recorded-but-unsubmitted work (after a failed call, so it cannot poison the next one). */
  discard(): void {
    this.pass = null;
    this.encoder = null;
    this.used = 0;
    for (const c of this.checks.splice(0)) this.free(c.flag);
  }

  /** Read the pending validity flags; throws the first failure as a RangeError. */
  async checkErrors(): Promise<void> {
    if (this.checks.length) await this.read({ buf: this.arena, off: 0, len: 0 }, false, true);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    this.sinceSubmit = 0;
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    this.device.queue.writeBuffer(this.arena, 0, this.staging, 0, this.used);
    this.device.queue.submit([this.encoder.finish()]);
    this.submits++;
    this.encoder = null;
    this.used = 0;
  }

  /**
   * Read a view back to the host (flushes). With `checks`, the pending validity flags come back in
   * the same transfer (one wait for the device) and a failed one throws as checkErrors() does.
   */
  async read(a: GArr, asInt = false, checks = false): Promise<Float32Array | Int32Array> {
    const pending = checks ? this.checks.splice(0) : [];
    const n = a.len + pending.length;
    const staging = this.device.createBuffer({ size: Math.max(4, n * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    if (a.len) this.copyBuffer(a, { buf: staging, off: 0, len: a.len }, a.len);
    pending.forEach((c, i) => this.copyBuffer(c.flag, { buf: staging, off: a.len + i, len: 1 }, 1));
    this.flush();
    let copy: ArrayBuffer;
    try {
      await staging.mapAsync(GPUMapMode.READ);
      copy = staging.getMappedRange().slice(0, n * 4);
      staging.unmap();
    } finally {
      staging.destroy();
    }
    if (this.deviceError !== null) {
      const msg = this.deviceError;
      this.deviceError = null;
      for (const c of pending) this.free(c.flag);
      throw new Error(`webgpu: the device rejected recorded work (results since the last read are invalid): ${msg}`);
    }
    const flags = new Int32Array(copy, a.len * 4, pending.length);
    let error: string | null = null;
    for (let i = 0; i < pending.length; i++) {
      if (flags[i] !== 0 && error === null) error = await pending[i].explain(flags[i]);
      this.free(pending[i].flag);
    }
    if (error !== null) throw new RangeError(error);
    return asInt ? new Int32Array(copy, 0, a.len) : new Float32Array(copy, 0, a.len);
  }

  /** Resolves when the device has finished all submitted work; rejects on a failed validity check. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }
}

const FMA_PROBE: KernelSpec = {
  name: 'probe_fma', params: {}, bindings: { x: 'f32rw' },
  code: '@compute @workgroup_size(1) fn main() { x[P.x_off + 3u] = fma(x[P.x_off], x[P.x_off + 1u], x[P.x_off + 2u]); }',
};

/**
 * fma(1 + 2^-12, 1 + 2^-12, -(1 + 2^-11)) is 2^-24 when fused and 0 when the product is rounded
 * first (some drivers, e.g. Mesa's llvmpipe GL path, lower fma to mul + add).
 */
async function probeFusedFma(rt: GpuRuntime): Promise<boolean> {
  const e = 1 + 2 ** -12;
  const x = rt.upload(Float32Array.of(e, e, -(1 + 2 ** -11), 0));
  rt.run(rt.kernel(FMA_PROBE), {}, { x }, [1]);
  const got = (await rt.read(x))[3];
  x.buf.destroy();
  return got === 2 ** -24;
}
