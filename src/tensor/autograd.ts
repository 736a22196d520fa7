/**
 * autograd.ts — reverse-mode autodiff on a tape. Each differentiable op calls record() with a
 * backward closure written beside its forward; backward() walks the tape in reverse, summing
 * gradients; leaf tensors with requiresGrad accumulate into .grad across calls.
 */
import { Tensor } from './tensor.js';
import { popScope, pushScope, type Disposable } from './storage.js';

export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

export interface Node {
  readonly name: string;
  readonly inputs: Tensor[];
  readonly output: Tensor;
  readonly backward: BackwardFn;
  /** Recording order; tidy() drops the nodes recorded inside it by this number. */
  readonly seq: number;
}

let tape: Node[] = [];
let nextSeq = 0;
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording any op (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Record an op if grad is on and any input needs grad; returns the output. */
export function record(name: string, output: Tensor, inputs: Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return output;
  output.requiresGrad = true;
  output.fromOp = true;
  const node: Node = { name, inputs, output, backward, seq: nextSeq++ };
  output.node = node;
  tape.push(node);
  if (tape.length === 1_000_000) {
    process.emitWarning('cm3leon: the autograd tape holds 1,000,000 ops. Forward passes that never reach ' +
      'backward() stay recorded until their tidy() ends: wrap each step in tidy(), or use noGrad() for inference.');
  }
  return output;
}

export function tapeLength(): number {
  return tape.length;
}

/** Drop the given nodes (or all) from the tape; their outputs' graphs are released. */
function release(drop: (n: Node) => boolean): void {
  const keep: Node[] = [];
  for (const n of tape) {
    if (drop(n)) n.output.node = null;
    else keep.push(n);
  }
  tape = keep;
}

/** Forget every recorded op (to abandon a forward pass). */
export function clearTape(): void {
  release(() => true);
}

const RELEASED = 'the graph of this tensor was already released: backward() ran through it, or the tidy() ' +
  'that recorded it ended (HINT: run forward and backward inside the same tidy(), once per forward pass)';

/** Hooks the tensor functions module registers (avoids an import cycle). */
export interface GradMath {
  add(a: Tensor, b: Tensor): Tensor;
  addInPlace(dst: Tensor, src: Tensor): void;
  clone(t: Tensor): Tensor;
  ones(shape: readonly number[], dtype: Tensor['dtype']): Tensor;
}
let math: GradMath | null = null;
export function registerGradMath(m: GradMath): void {
  math = m;
}

/**
 * Backpropagate from `root` (a scalar unless `grad` is given). Leaf tensors with requiresGrad get
 * their gradient added to .grad (owned, contiguous, kept). The nodes this pass ran through are
 * removed from the tape (a second backward through them throws); other recorded graphs stay.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!math) throw new Error('autograd: tensor functions not loaded');
  const m = math;
  if (!root.requiresGrad) throw new Error('backward(): the tensor does not require grad (no recorded op leads to it)');
  if (!root.node && root.fromOp) throw new Error(`backward(): ${RELEASED}`);
  if (!grad && root.size !== 1) {
    throw new RangeError(`backward() without a gradient needs a scalar, got shape [${root.shape.join(', ')}]`);
  }
  const used = new Set<Node>();
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    const accumulate = (t: Tensor, g: Tensor) => {
      if (g.size !== t.size) throw new Error(`autograd: gradient shape [${g.shape}] does not match [${t.shape}]`);
      if (!t.node) {
        if (t.fromOp) throw new Error(`backward(): the gradient reached a tensor whose ${RELEASED.slice(4)}`);
        if (!t.grad) t.grad = m.clone(g).keep();
        else m.addInPlace(t.grad, g);
        return;
      }
      const prev = grads.get(t);
      grads.set(t, prev ? m.add(prev, g) : g);
    };
    accumulate(root, grad ?? m.ones(root.shape, root.dtype));
    let start = tape.length - 1;
    while (start >= 0 && tape[start] !== root.node) start--;
    for (let i = start; i >= 0; i--) {
      const node = tape[i];
      const g = grads.get(node.output);
      if (!g) continue;
      grads.delete(node.output);
      used.add(node);
      const gs = node.backward(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const gi = gs[j];
        const inp = node.inputs[j];
        if (gi && inp.requiresGrad) accumulate(inp, gi);
      }
    }
  });
  release((n) => used.has(n));
}

/**
 * Run fn in a memory scope: every tensor created inside and not returned (or kept) is disposed and
 * its buffer reused. Returned values may be a tensor, an array/object of tensors, or plain data.
 * Ops recorded inside are dropped from the tape at the end (their tensors are gone), so call
 * backward() inside the same tidy as the forward pass.
 */
export function tidy<T>(fn: () => T): T {
  pushScope();
  const firstSeq = nextSeq;
  const dropInner = (n: Node) => n.seq >= firstSeq;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release(dropInner);
    popScope(new Set());
    throw e;
  }
  const keep = new Set<Disposable>();
  const visit = (v: unknown, depth: number) => {
    if (v instanceof Tensor) { keep.add(v); if (v.base) keep.add(v.base); return; }
    if (depth > 2 || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return; // typed arrays hold no tensors
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
  };
  visit(result, 0);
  release(dropInner);
  popScope(keep);
  return result;
}
