/**
 * Tensors resident on the WebGPU device (src/tensor/device.ts): allocation follows useDevice,
 * host access fails with a hint, read() brings values back, a small network's forward and
 * gradients (linear, GELU, layerNorm, softmax, embedding, weighted cross-entropy with ignored rows)
 * equal the host's, attention on the device (batched GEMMs + softmax, or the fused kernels) gives
 * the host's fused values and gradients, clipping reads once, bad ids surface as a clear error at the next read.
 * Skips without a WebGPU adapter (fails under CI=true, like webgpu.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipGradNorm, clipGradNormAndRead } from '../../src/optim/clip.js';
import {
  add, attention, backward, reshape, copyStorage, crossEntropy, embedding, gelu, layerNorm, linear, mul, onDevice, randn, Rng, selfAttention,
  softmax, sum, tensor, tidy, type Tensor,
} from '../../src/tensor/index.js';
import { RETRIEVER_PRESETS, RetrieverModel } from '../../src/retrieval/clip.js';
import { testDevice } from '../helpers/webgpu_device.js';

const { rt, skip } = await testDevice();

/** Leaves with the same values on the active device (host when none). */
function net(seed: number) {
  const rng = new Rng(seed);
  const p = {
    emb: randn([11, 8], { rng, std: 0.5 }), w1: randn([16, 8], { rng, std: 0.3 }), b1: randn([16], { rng, std: 0.1 }),
    w2: randn([11, 16], { rng, std: 0.3 }), g: randn([16], { rng, std: 0.1 }),
  };
  for (const t of Object.values(p)) t.keep().requiresGrad = true;
  return p;
}

function lossOf(p: ReturnType<typeof net>): Tensor {
  const ids = tensor([1, 4, 7, 10, 2, 3], [2, 3], 'i32');
  const targets = tensor([4, -100, 10, 0, 3, 5], [2, 3], 'i32');
  const weights = tensor([1, 1, 0.5, 2, 0, 1], [2, 3]);
  const h = layerNorm(gelu(linear(embedding(p.emb, ids), p.w1, p.b1)), p.g, null);
  return crossEntropy(linear(softmax(h), p.w2), targets, { weights });
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('new tensors live on the active device; host access fails with a hint; read() returns the values', { skip }, async () => {
  const t = onDevice(rt!, () => tensor([1, 2, 3, 4], [2, 2]).keep());
  assert.ok(t.onDevice);
  assert.throws(() => t.flat(), /lives on the GPU.*await t\.read\(\)/);
  assert.throws(() => t.toArray(), /lives on the GPU/);
  assert.deepEqual(Array.from(await t.read()), [1, 2, 3, 4]);
  const d = t.data as import('../../src/tensor/device.js').DeviceArray;
  d.subarray(1, 3).fill(0);
  d.set([9], 3);
  assert.deepEqual(Array.from(await t.read()), [1, 0, 0, 9]);
  d.set(d.subarray(2, 4), 0); // within one buffer (WebGPU forbids that copy; it goes through a temporary)
  assert.deepEqual(Array.from(await t.read()), [0, 9, 0, 9]);
  assert.ok(!tensor([1]).onDevice, 'outside onDevice tensors stay on the host');
  t.release();
});

test('a small network: loss and every gradient on the device equal the host', { skip }, async () => {
  const host = net(3);
  const lh = tidy(() => { const l = lossOf(host); backward(l); return l.item(); });
  const dev = onDevice(rt!, () => net(3));
  const ld = onDevice(rt!, () => tidy(() => { const l = lossOf(dev); backward(l); return l; }));
  close(await ld.read(), [lh], 1e-5, 'loss');
  for (const k of Object.keys(host) as (keyof typeof host)[]) close(await dev[k].grad!.read(), host[k].grad!.flat(), 1e-4, `d${k}`);
  // Clipping: the same norm and scaled gradients; the loss comes back in the same wait.
  const nh = clipGradNorm(Object.values(host), 0.05);
  assert.ok(nh > 0.05, `the clip must act (norm ${nh})`);
  const { norm, reads } = await clipGradNormAndRead(Object.values(dev), 0.05, [ld, dev.b1]);
  close([norm], [nh], 1e-5, 'norm');
  close(reads[0], [lh], 1e-5, 'loss read with the norm');
  close(reads[1], host.b1.flat(), 1e-6, 'a vector read with the norm');
  close(await dev.w2.grad!.read(), host.w2.grad!.flat(), 1e-4, 'clipped dw2');
  ld.dispose();
});

test('an out-of-range id on the device is reported at the next read, with the id', { skip }, async () => {
  const w = onDevice(rt!, () => randn([5, 4], { rng: new Rng(1) }).keep());
  const out = onDevice(rt!, () => tidy(() => embedding(w, tensor([1, 7, 2], [3], 'i32'))));
  await assert.rejects(() => out.read(), (e: Error) => e instanceof RangeError && /7 .*out of range \[0, 5\)/.test(e.message));
  // The device stays usable afterwards.
  const ok = onDevice(rt!, () => tidy(() => embedding(w, tensor([4], [1], 'i32'))));
  assert.equal((await ok.read()).length, 4);
});

test('attention on the device (composed and fused) equals the host: causal self-attention and cross-length attention', { skip }, async () => {
  const mk = (seed: number, shape: number[]) => { const t = randn(shape, { rng: new Rng(seed) }).keep(); t.requiresGrad = true; return t; };
  const w = randn([2, 7, 8], { rng: new Rng(9) }).keep(); // a fixed upstream gradient
  const lossSelf = (qkv: Tensor, wt: Tensor) => sum(mul(selfAttention(qkv, 2, { causal: true }), wt));
  const hq = mk(5, [2, 7, 24]);
  const want = tidy(() => { const l = lossSelf(hq, w); backward(l); return l.item(); });
  for (const mode of ['composed', 'fused']) {
    process.env.CM3LEON_WEBGPU_ATTENTION = mode;
    try {
      const dq = onDevice(rt!, () => mk(5, [2, 7, 24])), dw = onDevice(rt!, () => randn([2, 7, 8], { rng: new Rng(9) }).keep());
      const l = onDevice(rt!, () => tidy(() => { const x = lossSelf(dq, dw); backward(x); return x; }));
      close(await l.read(), [want], 1e-5, `${mode} self-attention`);
      close(await dq.grad!.read(), hq.grad!.flat(), 1e-4, `${mode} dqkv`);
      // Queries shorter than keys (the causal offset of decoding), not causal too.
      for (const causal of [true, false]) {
        const q = randn([1, 3, 2, 4], { rng: new Rng(1) }), k = randn([1, 5, 2, 4], { rng: new Rng(2) }), v = randn([1, 5, 2, 4], { rng: new Rng(3) });
        const host = attention(q, k, v, { causal }).flat();
        const got = onDevice(rt!, () => tidy(() => attention(tensor(q.flat(), q.shape), tensor(k.flat(), k.shape), tensor(v.flat(), v.shape), { causal })));
        close(await got.read(), host, 1e-5, `${mode} cross attention causal=${causal}`);
      }
    } finally {
      delete process.env.CM3LEON_WEBGPU_ATTENTION;
    }
  }
});

test('host and device tensors do not mix silently; a mean over zero weight is 0 with zero gradients', { skip }, async () => {
  const h = tensor([1, 2]), d = onDevice(rt!, () => tensor([3, 4]).keep());
  assert.throws(() => add(h, d), /in host memory and .* on the GPU/);
  assert.throws(() => embedding(reshape(d, [2, 1]), tensor([0], [1], 'i32')), /in host memory and .* on the GPU/);
  assert.throws(() => copyStorage(h.data, d.data), /read it first/);
  const logits = onDevice(rt!, () => { const t = randn([3, 5], { rng: new Rng(4) }).keep(); t.requiresGrad = true; return t; });
  const l = onDevice(rt!, () => tidy(() => {
    const x = crossEntropy(logits, tensor([1, -100, 2], [3], 'i32'), { weights: tensor([0, 1, 0], [3]) });
    backward(x);
    return x;
  }));
  assert.deepEqual(Array.from(await l.read()), [0]);
  assert.ok(Array.from(await logits.grad!.read()).every((g) => g === 0));
  d.release();
});

test('the retriever logit-scale cap works on the device without a readback', { skip }, async () => {
  const m = onDevice(rt!, () => new RetrieverModel(RETRIEVER_PRESETS.tiny));
  m.logitScale.data.set([10]);
  m.clampLogitScale();
  close(await m.logitScale.read(), [Math.log(100)], 1e-6, 'capped');
  m.logitScale.data.set([1.5]);
  m.clampLogitScale();
  close(await m.logitScale.read(), [1.5], 0, 'below the cap: unchanged');
});
