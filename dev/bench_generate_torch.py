"""dev/bench_generate_torch.py — PyTorch eager peer (CPU, or CUDA on a lent GPU) for `npm run bench -- generate`: the same
CM3Leon decoder (pre-LN, no biases, LayerNorm without parameters, GELU-tanh, learned positions)
loaded from the same safetensors weights, generating image codes with a KV cache and classifier-
free guidance from one left-padded [cond; uncond] batch, top-p sampling, exactly like
src/generate/generate.ts. Prints one JSON line: seconds per call and generated image tokens/s.

Run: OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 dev/bench_generate_torch.py WEIGHTS PROMPTS.json [cpu|cuda|auto]
(the device defaults to cpu; auto = cuda when available: the peer of `bench -- generate --device webgpu` on a GPU)
PROMPTS.json: {"cond": [...], "uncond": [...], "codes": [start, end), "steps": 64, "n": [1, 4], "cfg": 3, "reps": 3}
"""
import json, math, struct, sys, time

import torch
import torch.nn.functional as F


def load_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    head = json.loads(raw[8:8 + n])
    meta = head.pop('__metadata__', {})
    base = 8 + n
    out = {}
    for name, e in head.items():
        a, b = e['data_offsets']
        buf = bytearray(raw[base + a: base + b])
        if e['dtype'] == 'F32':
            t = torch.frombuffer(buf, dtype=torch.float32)
        elif e['dtype'] == 'BF16':
            t = torch.frombuffer(buf, dtype=torch.int16).to(torch.int32).bitwise_left_shift(16).view(torch.float32)
        else:
            continue
        out[name] = t.reshape(e['shape'])
    return out, meta


class Model:
    def __init__(self, w, cfg):
        self.w, self.c = w, cfg
        self.H, self.D = cfg['heads'], cfg['dModel']

    def step(self, ids, pos, keymask, cache):
        """ids (B, t), pos (B, t); keymask (B, S) over all cached + new slots; cache: per layer [k, v] (B, S0, H, Dh)."""
        w, H, D = self.w, self.H, self.D
        Dh = D // H
        x = w['wte.weight'][ids] + w['wpe.weight'][pos]
        B, t, _ = x.shape
        for l in range(self.c['layers']):
            p = f'h.{l}.'
            h = F.layer_norm(x, (D,))
            q, k, v = (h @ w[p + 'attn.qkv.weight'].t()).split(D, dim=2)
            q, k, v = (z.view(B, t, H, Dh) for z in (q, k, v))
            K = torch.cat([cache[l][0], k], 1) if cache[l] is not None else k
            V = torch.cat([cache[l][1], v], 1) if cache[l] is not None else v
            cache[l] = (K, V)
            S = K.shape[1]
            att = torch.einsum('bthd,bshd->bhts', q, K) / math.sqrt(Dh)
            causal = torch.ones(t, S, dtype=torch.bool, device=x.device).tril(S - t)
            mask = causal[None, None] & keymask[:, None, None, :]
            att = att.masked_fill(~mask, float('-inf')).softmax(-1).nan_to_num(0.0)
            y = torch.einsum('bhts,bshd->bthd', att, V).reshape(B, t, D)
            x = x + y @ w[p + 'attn.proj.weight'].t()
            h = F.layer_norm(x, (D,))
            x = x + F.gelu(h @ w[p + 'mlp.fc.weight'].t(), approximate='tanh') @ w[p + 'mlp.proj.weight'].t()
        return F.layer_norm(x, (D,)) @ w['lm_head.weight'].t()


def top_p_sample(logits, p, gen):
    probs = logits.softmax(-1)
    sp, si = probs.sort(-1, descending=True)
    keep = sp.cumsum(-1) - sp < p
    sp = sp * keep
    choice = torch.multinomial(sp / sp.sum(-1, keepdim=True), 1, generator=gen)
    return si.gather(-1, choice).squeeze(-1)


def run(model, pr, n, dev):
    cond, unc = pr['cond'], pr['uncond']
    L = max(len(cond), len(unc))
    rows = [[0] * (L - len(cond)) + cond] * n + [[0] * (L - len(unc)) + unc] * n
    mask = torch.tensor([[0] * (L - len(cond)) + [1] * len(cond)] * n + [[0] * (L - len(unc)) + [1] * len(unc)] * n, dtype=torch.bool, device=dev)
    pos = (mask.long().cumsum(1) - 1).clamp_min(0)
    cache = [None] * model.c['layers']
    gen = torch.Generator(device=dev).manual_seed(1)
    lo, hi = pr['codes']
    with torch.no_grad():
        logits = model.step(torch.tensor(rows, device=dev), pos, mask, cache)[:, -1]
        nxt = pos[:, -1] + 1
        for s in range(pr['steps']):
            guided = logits[n:] + pr['cfg'] * (logits[:n] - logits[n:])
            allowed = torch.full_like(guided, float('-inf'))
            allowed[:, lo:hi] = 0
            guided = guided + allowed
            tok = top_p_sample(guided, 0.9, gen)
            ids = torch.cat([tok, tok])[:, None]
            mask = torch.cat([mask, torch.ones(2 * n, 1, dtype=torch.bool, device=dev)], 1)
            logits = model.step(ids, nxt[:, None], mask, cache)[:, -1]
            nxt = nxt + 1


def main():
    torch.set_num_threads(2)
    want = sys.argv[3] if len(sys.argv) > 3 else 'cpu'
    dev = 'cuda' if want == 'cuda' or (want == 'auto' and torch.cuda.is_available()) else 'cpu'
    sync = torch.cuda.synchronize if dev == 'cuda' else (lambda: None)
    w, meta = load_safetensors(sys.argv[1])
    w = {k: v.to(dev) for k, v in w.items()}
    pr = json.load(open(sys.argv[2]))
    model = Model(w, json.loads(meta['config']))
    out = {'device': dev}
    for n in pr['n']:
        run(model, pr, n, dev)
        best = float('inf')
        for _ in range(pr['reps']):
            sync()
            t = time.perf_counter()
            run(model, pr, n, dev)
            sync()
            best = min(best, time.perf_counter() - t)
        out[f'seconds_n{n}'] = best
        out[f'tokens_per_s_n{n}'] = n * pr['steps'] / best
    print(json.dumps(out))


if __name__ == '__main__':
    main()
