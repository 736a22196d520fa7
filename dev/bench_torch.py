"""PyTorch peer for the engine's training-step benchmark.

Same architecture as dev/make_golden.py (pre-LayerNorm GPT with biases, GELU
tanh, untied lm_head, causal attention as matmul + masked_fill + softmax +
matmul), in float32. One step = forward, cross-entropy, backward,
clip_grad_norm_(1.0), AdamW(lr 3e-4, betas (0.9, 0.95), wd 0.1) step,
zero_grad(set_to_none=True), on a fixed seeded random token batch.
Prints one line of JSON to stdout.

Run (Debian's PyTorch, CPU):
    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 dev/bench_torch.py \
        --layers 4 --d 256 --heads 4 --seq 256 --batch 8 --vocab 4096 \
        --steps 10 --warmup 2 --threads 2
"""

import argparse
import json
import math
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, seq, cm3leon=False, sdpa=False):
        super().__init__()
        self.heads = heads
        self.sdpa = sdpa
        bias, affine = not cm3leon, not cm3leon
        self.ln1 = nn.LayerNorm(d, eps=1e-5, elementwise_affine=affine)
        self.qkv = nn.Linear(d, 3 * d, bias=bias)
        self.proj = nn.Linear(d, d, bias=bias)
        self.ln2 = nn.LayerNorm(d, eps=1e-5, elementwise_affine=affine)
        self.fc = nn.Linear(d, 4 * d, bias=bias)
        self.mlp_proj = nn.Linear(4 * d, d, bias=bias)
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        B, T, D = x.shape
        nh = self.heads
        hs = D // nh
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nh, hs).transpose(1, 2)
        v = v.view(B, T, nh, hs).transpose(1, 2)
        if self.sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(~self.mask[:T, :T], float("-inf"))
            att = F.softmax(att, dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, D)
        x = x + self.proj(y)
        x = x + self.mlp_proj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self, vocab, seq, d, heads, layers, cm3leon=False, sdpa=False):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(seq, d)
        self.h = nn.ModuleList([Block(d, heads, seq, cm3leon, sdpa) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5, elementwise_affine=not cm3leon)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        for name, p in self.named_parameters():
            if name.startswith("ln") or ".ln" in name:
                continue  # LayerNorm keeps weight=1, bias=0
            nn.init.normal_(p, 0.0, 0.02)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T, device=ids.device))
        for blk in self.h:
            x = blk(x)
        return self.lm_head(self.ln_f(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--arch", choices=["gpt", "cm3leon"], default="gpt",
                    help="cm3leon: no biases, LayerNorms without affine (the CM3Leon block)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (fp32; TF32 stays off)")
    ap.add_argument("--sdpa", action="store_true", help="fused scaled_dot_product_attention instead of matmul + softmax")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    model = GPT(args.vocab, args.seq, args.d, args.heads, args.layers, args.arch == "cm3leon", args.sdpa).to(dev)
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=3e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    ids = torch.randint(0, args.vocab, (args.batch, args.seq)).to(dev)
    targets = torch.randint(0, args.vocab, (args.batch, args.seq)).to(dev)

    def step():
        logits = model(ids)
        loss = F.cross_entropy(logits.view(-1, args.vocab), targets.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    losses = []
    for _ in range(args.warmup):
        losses.append(step())
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)

    med = statistics.median(times)
    print(json.dumps({
        "peer": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "arch": args.arch,
        "sdpa": args.sdpa,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "step_ms_median": med * 1000.0,
        "tokens_per_s": args.batch * args.seq / med,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }))


if __name__ == "__main__":
    main()
