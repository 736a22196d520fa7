/**
 * webgpu/sync_protocol.ts — what the synchronous facade (sync.ts) and its worker
 * (sync_worker.ts) agree on: which arguments are device arrays and the reply's shape.
 */
export interface CallReply {
  error?: string;
  ret?: unknown;
  /** Contents of every distinct ArrayBuffer among the call's arrays after the call, in walk order. */
  buffers: ArrayBuffer[];
}

/** Positions of host-side shape/stride metadata (not device data) per method. */
const HOST_ARGS: Record<string, number[]> = { binary: [3, 6, 8], copy: [2, 5, 6] };

type TA = Float32Array | Float64Array | Int32Array;

function isTyped(v: unknown): v is TA {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/**
 * Calls visit(array, set) for every device array among args (typed arrays, BTHD.data,
 * AttnShape.keyMask); set replaces it in args. Returns the distinct ArrayBuffers in first-seen order.
 */
export function walkArrays(method: string, args: unknown[], visit?: (a: TA, set: (v: unknown) => void) => void): ArrayBuffer[] {
  const host = HOST_ARGS[method] ?? [];
  const seen: ArrayBuffer[] = [];
  const see = (a: TA, set: (v: unknown) => void) => {
    if (a instanceof Float64Array) throw new TypeError(`webgpu ${method}: float64 arrays are not supported (float32 only)`);
    if (!seen.includes(a.buffer as ArrayBuffer)) seen.push(a.buffer as ArrayBuffer);
    visit?.(a, set);
  };
  args.forEach((v, i) => {
    if (host.includes(i)) return;
    if (isTyped(v)) { see(v, (x) => { args[i] = x; }); return; }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (isTyped(o.data)) see(o.data, (x) => { args[i] = { ...o, data: x }; });
      if (isTyped(o.keyMask)) {
        const cur = () => args[i] as Record<string, unknown>;
        see(o.keyMask, (x) => { args[i] = { ...cur(), keyMask: x }; });
      }
    }
  });
  return seen;
}
