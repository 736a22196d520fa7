/**
 * tensor/index.ts — the public tensor API: Tensor, autograd (backward, noGrad, tidy), RNG and
 * every differentiable function. Importing this module wires autograd to the functions.
 */
import { addInPlace, add } from './functions/arith.js';
import { ones } from './functions/create.js';
import { contiguous } from './functions/view.js';
import { registerGradMath } from './autograd.js';
import { copyStorage } from './storage.js';
import { Tensor } from './tensor.js';

registerGradMath({
  add,
  addInPlace,
  ones,
  clone: (t: Tensor) => {
    const out = Tensor.empty(t.shape, t.dtype);
    copyStorage(out.data, contiguous(t).storage());
    return out;
  },
});

export { Tensor, sizeOf, type Shape } from './tensor.js';
export { backward, clearTape, isGradEnabled, noGrad, tapeLength, tidy } from './autograd.js';
export { Rng } from './random.js';
export { clearPool, copyStorage, poolStats, setPoolCap, type DType, type HostStorage, type Storage } from './storage.js';
export { K as kernelsOf } from './functions/util.js';
export { activeDevice, DeviceArray, onDevice, openDevice, useDevice } from './device.js';
export * from './functions/arith.js';
export * from './functions/attention.js';
export * from './functions/create.js';
export * from './functions/gather.js';
export * from './functions/loss.js';
export * from './functions/matmul.js';
export * from './functions/linear_half.js';
export { halfBits, halfValue, packHalf, roundHalf } from './half.js';
export * from './functions/misc.js';
export * from './functions/norm.js';
export * from './functions/reduce.js';
export * from './functions/softmax.js';
export { broadcastTo, concat, contiguous, copyInto, detach, permute, reshape, slice, split, transpose, unflatten } from './functions/view.js';
