/**
 * webgpu/kernels/check.ts — index validation for kernels that take ids (gather, scatter-add,
 * cross-entropy targets): the twin of ref/nn.ts checkIds. Ids live on the device and a kernel
 * cannot throw, so a one-workgroup pass records the first bad position in a flag
 * (flag[0] = 1, [1] = position, [2] = id); gather and scatter-add read the flag and write nothing
 * when it is set (cross-entropy writes NaN for the bad row), and the runtime's next checkErrors() throws the reference's message (the synchronous facade
 * checks before copying anything back, so the caller's arrays stay as they were).
 */
import type { GArr, GpuRuntime, KernelSpec } from '../runtime.js';

const WG = 256;

const CHECK_IDS: KernelSpec = {
  name: 'check_ids', params: { n: 'u32', size: 'u32', skip: 'i32', has_skip: 'u32' }, bindings: { idx: 'i32', flag: 'i32rw' },
  code: /* wgsl */ `
var<workgroup> first: atomic<u32>;
@compute @workgroup_size(${WG}) fn main(@builtin(local_invocation_index) li: u32) {
  if (li == 0u) { atomicStore(&first, 0xffffffffu); }
  workgroupBarrier();
  for (var j = li; j < P.n; j += ${WG}u) {
    let v = idx[P.idx_off + j];
    if (P.has_skip != 0u && v == P.skip) { continue; }
    if (v < 0 || u32(v) >= P.size) { atomicMin(&first, j); }
  }
  workgroupBarrier();
  if (li == 0u) {
    let f = atomicLoad(&first);
    let bad = f != 0xffffffffu;
    flag[P.flag_off] = select(0, 1, bad);
    flag[P.flag_off + 1u] = select(-1, i32(f), bad);
    flag[P.flag_off + 2u] = select(0, idx[P.idx_off + min(f, P.n - 1u)], bad);
  }
}`,
};

/**
 * Every id in [0, size) except `skip`. Returns the flag (i32 x 3) for kernels that must not write
 * on bad ids; the runtime owns and frees it after its next checkErrors().
 */
export function checkIds(rt: GpuRuntime, idx: GArr, n: number, size: number, what: string, where: string,
  skip?: number): GArr {
  const flag = rt.alloc(3);
  rt.run(rt.kernel(CHECK_IDS), { n, size, skip: skip ?? 0, has_skip: skip === undefined ? 0 : 1 }, { idx, flag }, [1]);
  rt.deferCheck(flag, async () => {
    const f = await rt.read({ ...flag, len: 3 }, true);
    return `${what} ${f[2]} at ${where} ${f[1]} is out of range [0, ${size})`;
  });
  return flag;
}
