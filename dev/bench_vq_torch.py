"""dev/bench_vq_torch.py — PyTorch eager CPU peer for `npm run bench -- tokenizer`: the same VQ
tokenizer architecture (dev/vq_explore.py's Tokenizer with the vq64 preset's shapes), random
weights (speed does not depend on them), encode = encoder + nearest code, decode = code lookup +
decoder (+ upsampler). Prints one JSON line: images/s for encode and decode at each batch size.
"""
import argparse, json, time

import torch
import torch.nn.functional as F

from vq_explore import Tokenizer, patchify, regrid, unpatchify

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=2); ap.add_argument('--patch', type=int, default=8)
ap.add_argument('--k', type=int, default=4096); ap.add_argument('--d', type=int, default=256); ap.add_argument('--up', type=int, default=2)
ap.add_argument('--batches', default='1,64'); ap.add_argument('--images', type=int, default=256)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
v = dict(patch=a.patch, k=a.k, d=a.d, up=a.up)
m = Tokenizer(v).eval()
p = a.patch


def encode(x):
    z = F.normalize(m.enc(patchify(x, p)), dim=-1)
    return (z @ F.normalize(m.quant.cb, dim=-1).t()).argmax(-1)


def decode(idx):
    h = m.dec(F.normalize(m.quant.cb, dim=-1)[idx])
    if hasattr(m, 'dec2'):
        return unpatchify(m.dec2(regrid(h, m.g, 2)), p // 2, 64)
    return unpatchify(h, p, 64)


out = {}
with torch.no_grad():
    for b in [int(s) for s in a.batches.split(',')]:
        n = min(a.images, max(16, b * 4))
        x = torch.rand(n, 64, 64, 3) * 2 - 1
        idx = encode(x[:b])
        for name, fn, inp in [('encode', encode, x), ('decode', decode, None)]:
            best = float('inf')
            for rep in range(3):
                t = time.perf_counter()
                for i in range(0, n, b):
                    fn(x[i:i + b]) if name == 'encode' else fn(idx[: min(b, n - i)])
                best = min(best, time.perf_counter() - t)
            out[f'{name}_b{b}'] = n / best
print(json.dumps(out))
