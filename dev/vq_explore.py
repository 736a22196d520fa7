"""dev/vq_explore.py — PyTorch architecture sweep for the VQ image tokenizer (exploration only).

The shipped tokenizer is trained with our engine (`cm3leon tokenizer train-image`); this script
only answers "which design reaches the quality bar in a CPU-sized budget?" quickly on a lent GPU.
It mirrors src/tokenizer/image (ViT patch towers, pre-LN blocks with bias, tanh-GELU, AdamW
0.9/0.99 wd 0.01, warmup + cosine to lr/20, clip 1.0, dead-code restarts every 100 steps) and adds
variants: FSQ quantiser, an upsampling decoder stage (tokens -> 2x finer grid of sub-patches).

Data: raw uint8 (N, 64, 64, 3) files exported from a dataset built by `cm3leon data build`.
Usage: python3 dev/vq_explore.py --train train.u8 --eval eval.u8 --variant NAME [--steps N] --out f.json
"""
import argparse, json, math, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate='tanh'))


class Tower(nn.Module):
    """(B, N, in) -> (B, N, out) with learned positions over N tokens."""
    def __init__(self, n, d_in, d_out, d, layers, heads=4, hidden=768):
        super().__init__()
        self.inp, self.out = nn.Linear(d_in, d), nn.Linear(d, d_out)
        self.pos = nn.Parameter(torch.randn(n, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, heads, hidden) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)

    def forward(self, x):
        h = self.inp(x) + self.pos
        for b in self.blocks:
            h = b(h)
        return self.out(self.norm(h))


def patchify(x, p):  # (B, S, S, 3) -> (B, G*G, p*p*3)
    B, S = x.shape[0], x.shape[1]
    g = S // p
    return x.reshape(B, g, p, g, p, 3).permute(0, 1, 3, 2, 4, 5).reshape(B, g * g, p * p * 3)


def unpatchify(t, p, S):
    B, g = t.shape[0], S // p
    return t.reshape(B, g, g, p, p, 3).permute(0, 1, 3, 2, 4, 5).reshape(B, S, S, 3)


def regrid(t, g, f):
    """(B, g*g, f*f*c) tokens -> (B, (g*f)^2, c): each token becomes an f x f block of finer tokens."""
    B, c = t.shape[0], t.shape[2] // (f * f)
    return t.reshape(B, g, g, f, f, c).permute(0, 1, 3, 2, 4, 5).reshape(B, g * f * g * f, c)


class FSQ(nn.Module):
    def __init__(self, levels):
        super().__init__()
        self.levels = levels
        self.register_buffer('L', torch.tensor(levels, dtype=torch.float32))
        basis = [1]
        for l in levels[:-1]:
            basis.append(basis[-1] * l)
        self.register_buffer('basis', torch.tensor(basis))
        self.size = math.prod(levels)

    def forward(self, z):
        half = (self.L - 1) * (1 - 1e-3) / 2
        offset = torch.where(self.L % 2 == 0, 0.5, 0.0)
        shift = torch.atanh(offset / half)
        b = torch.tanh(z + shift) * half - offset
        q = b + (torch.round(b) - b).detach()
        halfw = torch.floor(self.L / 2)
        idx = ((torch.round(b) + halfw).long() * self.basis).sum(-1)
        return q / halfw, idx, torch.zeros((), device=z.device)


class VQ(nn.Module):
    def __init__(self, k, d, beta=0.25):
        super().__init__()
        self.cb = nn.Parameter(torch.randn(k, d))
        self.size, self.beta = k, beta

    def forward(self, z):
        z = F.normalize(z, dim=-1)
        cb = F.normalize(self.cb, dim=-1)
        idx = (z @ cb.t()).argmax(-1)
        q = cb[idx]
        loss = F.mse_loss(q, z.detach()) + self.beta * F.mse_loss(z, q.detach())
        return z + (q - z).detach(), idx, loss


class Tokenizer(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v, S, p = v, 64, v['patch']
        g, d = S // p, v.get('d', 256)
        self.g = g
        self.quant = FSQ(v['levels']) if 'levels' in v else VQ(v['k'], v.get('code_dim', 16))
        cdim = len(v['levels']) if 'levels' in v else v.get('code_dim', 16)
        self.enc = Tower(g * g, p * p * 3, cdim, d, v.get('enc', 3))
        up = v.get('up', 0)  # decoder stage on a 2x finer grid of (p/2)-pixel sub-patches
        if up:
            du = v.get('d_up', 128)
            self.dec = Tower(g * g, cdim, 4 * du, d, v.get('dec', 3))
            self.dec2 = Tower(4 * g * g, du, (p // 2) ** 2 * 3, du, up, hidden=4 * du)
        else:
            self.dec = Tower(g * g, cdim, p * p * 3, d, v.get('dec', 3))
        self.conv = None
        if v.get('conv'):
            c = v['conv']
            self.conv = nn.Sequential(nn.Conv2d(3, c, 3, padding=1), nn.GELU(), nn.Conv2d(c, c, 3, padding=1), nn.GELU(), nn.Conv2d(c, 3, 3, padding=1))
            nn.init.zeros_(self.conv[-1].weight); nn.init.zeros_(self.conv[-1].bias)

    def forward(self, x):
        p = self.v['patch']
        z = self.enc(patchify(x, p))
        q, idx, qloss = self.quant(z)
        h = self.dec(q)
        if hasattr(self, 'dec2'):
            h = self.dec2(regrid(h, self.g, 2))
            y = unpatchify(h, p // 2, 64)
        else:
            y = unpatchify(h, p, 64)
        if self.conv is not None:
            y = y + self.conv(y.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        return y, idx, qloss


VARIANTS = {
    'base64': dict(patch=8, k=1024),
    'vq64_4096': dict(patch=8, k=4096),
    'fsq64_1000': dict(patch=8, levels=[8, 5, 5, 5]),
    'fsq64_4096': dict(patch=8, levels=[8, 8, 8, 8]),
    'fsq64_4375': dict(patch=8, levels=[7, 5, 5, 5, 5]),
    'fsq64_4096_up': dict(patch=8, levels=[8, 8, 8, 8], up=2),
    'vq64_4096_up': dict(patch=8, k=4096, up=2),
    'fsq64_4096_conv': dict(patch=8, levels=[8, 8, 8, 8], conv=32),
    'fsq64_4096_up_conv': dict(patch=8, levels=[8, 8, 8, 8], up=2, conv=32),
    'vq64_4096_up_big': dict(patch=8, k=4096, up=2, d=384, enc=4, dec=6),
    'base256': dict(patch=4, k=1024, d=192),
    'vq256_4096': dict(patch=4, k=4096, d=192),
    'fsq256_4096': dict(patch=4, levels=[8, 8, 8, 8], d=192),
    'fsq256_4096_up': dict(patch=4, levels=[8, 8, 8, 8], d=192, up=2, d_up=96),
}


def psnr(a, b):  # per image, images in [0, 255]
    mse = ((a - b) ** 2).flatten(1).mean(1).clamp_min(1e-10)
    return (10 * torch.log10(255 ** 2 / mse)).clamp_max(100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--train'); ap.add_argument('--eval'); ap.add_argument('--variant'); ap.add_argument('--out')
    ap.add_argument('--steps', type=int, default=8000); ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=1e-3); ap.add_argument('--seed', type=int, default=7)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cuda.matmul.allow_tf32 = False
    load = lambda f: torch.frombuffer(bytearray(open(f, 'rb').read()), dtype=torch.uint8).reshape(-1, 64, 64, 3)
    tr, ev = load(a.train).to(dev), load(a.eval).to(dev)
    norm = lambda u8: u8.float() / 127.5 - 1
    v = VARIANTS[a.variant]
    m = Tokenizer(v).to(dev)
    decay = [p for n, p in m.named_parameters() if p.ndim >= 2 and not n.endswith('pos')]
    rest = [p for n, p in m.named_parameters() if not (p.ndim >= 2 and not n.endswith('pos'))]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': rest, 'weight_decay': 0}], lr=a.lr, betas=(0.9, 0.99))
    warm = min(500, a.steps >> 3)
    sched = lambda s: s / warm if s < warm else 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, a.steps - warm)))
    usage = torch.zeros(m.quant.size, device=dev)
    log, t0 = [], time.time()

    def evaluate():
        m.eval()
        with torch.no_grad():
            y, idx, _ = m(norm(ev))
            rec = ((y.clamp(-1, 1) + 1) * 127.5).round()
            p = psnr(rec, ev.float()).mean().item()
            used = idx.unique().numel() / m.quant.size
        m.train()
        return p, used

    for step in range(a.steps):
        for gp in opt.param_groups:
            gp['lr'] = a.lr * sched(step)
        x = norm(tr[torch.randint(0, tr.shape[0], (a.batch,), device=dev)])
        y, idx, qloss = m(x)
        rl = F.mse_loss(y, x)
        loss = rl + qloss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        usage.index_add_(0, idx.flatten(), torch.ones(idx.numel(), device=dev))
        if isinstance(m.quant, VQ) and (step + 1) % 100 == 0:
            dead = (usage == 0).nonzero().flatten()
            if dead.numel():
                with torch.no_grad():
                    z = F.normalize(m.enc(patchify(x, v['patch'])), dim=-1).flatten(0, 1)
                    m.quant.cb[dead] = z[torch.randint(0, z.shape[0], (dead.numel(),), device=dev)] + 0.01 * torch.randn(dead.numel(), z.shape[1], device=dev)
                    st = opt.state[m.quant.cb]
                    st['exp_avg'][dead] = 0; st['exp_avg_sq'][dead] = 0
            usage.zero_()
        if (step + 1) % 1000 == 0 or step + 1 == a.steps:
            p, u = evaluate()
            log.append(dict(step=step + 1, recon=rl.item(), eval_psnr=p, usage=u, secs=time.time() - t0))
            print(a.variant, log[-1], flush=True)
            params = sum(p.numel() for p in m.parameters())
            json.dump(dict(variant=a.variant, config=v, steps=a.steps, batch=a.batch, lr=a.lr, params=params, log=log), open(a.out, 'w'))


if __name__ == '__main__':
    main()
