/**
 * nn/module.ts — Module: a tree of named parameters and child modules with stateDict /
 * loadStateDict (names join with '.', as PyTorch), plus the Parameter constructor.
 */
import { copyStorage, Tensor } from '../tensor/index.js';
import { fmt } from '../tensor/functions/util.js';

/** Mark t as a trainable parameter: requires grad, survives tidy(). Must own contiguous float storage. */
export function parameter(t: Tensor, name = ''): Tensor {
  if (t.base || !t.isContiguous() || t.offset !== 0 || t.dtype === 'i32' || t.fromOp) {
    throw new TypeError(`parameter ${name || '#' + t.id}: needs a float tensor that owns contiguous storage (not a view or an op result)`);
  }
  t.requiresGrad = true;
  t.name = name;
  return t.keep();
}

/** Drop the gradients of `params`, returning their buffers to the pool. */
export function releaseGrads(params: Iterable<Tensor>): void {
  for (const p of params) {
    p.grad?.release();
    p.grad = null;
  }
}

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  protected addParam(name: string, t: Tensor): Tensor {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`duplicate member name "${name}"`);
    this.params.set(name, parameter(t, name));
    return t;
  }

  protected addModule<M extends Module>(name: string, m: M): M {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`duplicate member name "${name}"`);
    this.children.set(name, m);
    return m;
  }

  /** Parameters in registration order with their dotted names. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** This module and every descendant, depth first. */
  modules(): Module[] {
    return [this, ...[...this.children.values()].flatMap((m) => m.modules())];
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters());
  }

  /** Copy values in; every parameter must be present with its exact shape, and no extra names (strict). */
  loadStateDict(state: Map<string, Tensor>, strict = true): void {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const extra = [...state.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length || extra.length)) {
      throw new Error(`loadStateDict: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
    }
    for (const [k, p] of own) {
      const src = state.get(k);
      if (!src) continue;
      if (src.shape.length !== p.shape.length || src.shape.some((d, i) => d !== p.shape[i])) {
        throw new RangeError(`loadStateDict: ${k} has shape ${fmt(src.shape)}, expected ${fmt(p.shape)}`);
      }
      copyStorage(p.data, src.storage());
    }
  }

  /** Drop gradients; their buffers go back to the pool for the next backward. */
  zeroGrad(): void {
    releaseGrads(this.parameters());
  }

  train(on = true): this {
    this.training = on;
    for (const m of this.children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }
}

/** A plain named container of child modules (gives `h.0.attn.qkv`-style names). */
export class ModuleDict extends Module {
  set<M extends Module>(name: string, m: M): M {
    return this.addModule(name, m);
  }
}
