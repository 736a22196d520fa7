/**
 * optim/adamw.ts — AdamW with decoupled weight decay (PyTorch semantics), one fused kernel per
 * parameter; parameters can opt out of decay (biases, norms) through `decay`.
 */
import { releaseGrads } from '../nn/module.js';
import { copyStorage, kernelsOf, Tensor, zeros } from '../tensor/index.js';

export interface AdamWOpts {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Whether a parameter (by name) gets weight decay; default: all. */
  decay?: (name: string, p: Tensor) => boolean;
}

interface Slot { name: string; p: Tensor; m: Tensor; v: Tensor; decay: boolean }

export class AdamW {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  stepCount = 0;
  private readonly slots: Slot[];

  constructor(params: [string, Tensor][], opts: AdamWOpts = {}) {
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    for (const [k, v] of Object.entries({ lr: this.lr, eps: this.eps, weightDecay: this.weightDecay, beta1: this.betas[0], beta2: this.betas[1] })) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`AdamW: ${k} must be a finite number >= 0, got ${v}`);
    }
    if (this.betas.some((b) => b >= 1)) throw new RangeError('AdamW: betas must be < 1');
    const decay = opts.decay ?? (() => true);
    this.slots = params.map(([name, p]) => ({
      name, p, decay: decay(name, p),
      m: zeros(p.shape, p.dtype).keep(), v: zeros(p.shape, p.dtype).keep(),
    }));
  }

  /** One update from the current .grad of every parameter (parameters without grad are skipped). */
  step(lr = this.lr): void {
    this.stepCount++;
    const [b1, b2] = this.betas;
    for (const s of this.slots) {
      const g = s.p.grad;
      if (!g) continue;
      kernelsOf(s.p).adamw(s.p.data as Float32Array, g.storage() as Float32Array, s.m.data as Float32Array,
        s.v.data as Float32Array, s.p.size, lr, b1, b2, this.eps, s.decay ? this.weightDecay : 0, this.stepCount);
    }
  }

  /** Drop gradients; their buffers go back to the pool for the next backward. */
  zeroGrad(): void {
    releaseGrads(this.slots.map((s) => s.p));
  }

  /** Optimizer state tensors by name (for checkpoints): `<param>.m`, `<param>.v`. */
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const s of this.slots) { out.set(`${s.name}.m`, s.m); out.set(`${s.name}.v`, s.v); }
    return out;
  }

  loadStateTensors(state: Map<string, Tensor>, stepCount: number): void {
    if (!Number.isInteger(stepCount) || stepCount < 0) throw new RangeError(`AdamW: step count must be an integer >= 0, got ${stepCount}`);
    for (const s of this.slots) {
      const m = state.get(`${s.name}.m`), v = state.get(`${s.name}.v`);
      if (!m || !v || m.size !== s.p.size || v.size !== s.p.size) throw new Error(`AdamW: missing or mis-shaped state for ${s.name}`);
      copyStorage(s.m.data, m.storage());
      copyStorage(s.v.data, v.storage());
    }
    this.stepCount = stepCount;
  }
}
