"""Generate the golden fixture test/fixtures/golden_tiny.safetensors.

A tiny seeded GPT-style pre-LayerNorm transformer (vocab 97, seq 16, d_model 64,
2 layers, 4 heads, mlp hidden 256, batch 2) is computed in float64 with PyTorch
and saved (cast to F32 / I32) in the safetensors format, written with the
standard library only. Contents: initial parameters (param.*), the batch
(input_ids, targets), forward logits, cross-entropy loss, parameter gradients
(grad.*), and 10 steps of clip_grad_norm_(1.0) + AdamW (adamw_losses,
adamw_final.*).

Run (Debian's PyTorch, CPU):
    /usr/bin/python3 dev/make_golden.py [output_path]

The output is deterministic: running the script twice gives a byte-identical file.
"""

import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

CONFIG = {
    "vocab_size": 97,
    "seq_len": 16,
    "d_model": 64,
    "n_layers": 2,
    "n_heads": 4,
    "head_size": 16,
    "mlp_hidden": 256,
    "batch": 2,
    "ln_eps": 1e-5,
    "gelu": "tanh",
    "tied_head": False,
    "ignore_index": -100,
    "ignored_targets": [[0, 3], [1, 10]],
    "seed": 1234,
    "compute_dtype": "float64",
    "adamw": {
        "steps": 10,
        "lr": 1e-2,
        "betas": [0.9, 0.95],
        "eps": 1e-8,
        "weight_decay": 0.1,
        "clip_grad_norm": 1.0,
    },
}

DEFAULT_OUT = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "golden_tiny.safetensors")
)


def init_params():
    """Create parameters in a fixed order (the order random numbers are drawn)."""
    V, T, D, H = CONFIG["vocab_size"], CONFIG["seq_len"], CONFIG["d_model"], CONFIG["mlp_hidden"]
    p = {}

    def normal(*shape, std=0.02):
        return torch.randn(*shape) * std

    def ln(prefix):
        p[prefix + ".weight"] = 1.0 + normal(D, std=0.1)
        p[prefix + ".bias"] = normal(D)

    p["wte.weight"] = normal(V, D)
    p["wpe.weight"] = normal(T, D)
    for i in range(CONFIG["n_layers"]):
        h = "h.%d." % i
        ln(h + "ln1")
        p[h + "attn.qkv.weight"] = normal(3 * D, D)
        p[h + "attn.qkv.bias"] = normal(3 * D)
        p[h + "attn.proj.weight"] = normal(D, D)
        p[h + "attn.proj.bias"] = normal(D)
        ln(h + "ln2")
        p[h + "mlp.fc.weight"] = normal(H, D)
        p[h + "mlp.fc.bias"] = normal(H)
        p[h + "mlp.proj.weight"] = normal(D, H)
        p[h + "mlp.proj.bias"] = normal(D)
    ln("ln_f")
    p["lm_head.weight"] = normal(V, D)
    return p


def forward(p, ids):
    B, T = ids.shape
    D, nh = CONFIG["d_model"], CONFIG["n_heads"]
    hs = D // nh
    eps = CONFIG["ln_eps"]

    def layer_norm(x, prefix):
        return F.layer_norm(x, (D,), p[prefix + ".weight"], p[prefix + ".bias"], eps)

    def linear(x, prefix, bias=True):
        return F.linear(x, p[prefix + ".weight"], p[prefix + ".bias"] if bias else None)

    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(T)]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(CONFIG["n_layers"]):
        h = "h.%d." % i
        qkv = linear(layer_norm(x, h + "ln1"), h + "attn.qkv")
        q, k, v = qkv[:, :, 0:D], qkv[:, :, D:2 * D], qkv[:, :, 2 * D:3 * D]
        q = q.view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nh, hs).transpose(1, 2)
        v = v.view(B, T, nh, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, D)
        x = x + linear(y, h + "attn.proj")
        m = linear(layer_norm(x, h + "ln2"), h + "mlp.fc")
        m = F.gelu(m, approximate="tanh")
        x = x + linear(m, h + "mlp.proj")
    x = layer_norm(x, "ln_f")
    return linear(x, "lm_head", bias=False)


def loss_fn(logits, targets):
    V = CONFIG["vocab_size"]
    return F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=CONFIG["ignore_index"])


def save_safetensors(path, tensors, metadata):
    """tensors: name -> (dtype_str, shape, bytes). Written in sorted name order."""
    header = {"__metadata__": metadata}
    offset = 0
    names = sorted(tensors)
    for name in names:
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((-len(hbytes)) % 8)  # data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for name in names:
            f.write(tensors[name][2])


def f32(t):
    t = t.detach().contiguous()
    vals = t.reshape(-1).tolist()
    return ("F32", tuple(t.shape), struct.pack("<%df" % len(vals), *vals))


def i32(t):
    t = t.detach().contiguous()
    vals = [int(v) for v in t.reshape(-1).tolist()]
    return ("I32", tuple(t.shape), struct.pack("<%di" % len(vals), *vals))


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)  # keep reductions deterministic
    torch.manual_seed(CONFIG["seed"])

    init = init_params()
    B, T, V = CONFIG["batch"], CONFIG["seq_len"], CONFIG["vocab_size"]
    input_ids = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    for b, t in CONFIG["ignored_targets"]:
        targets[b, t] = CONFIG["ignore_index"]

    out = {}
    for name, t in init.items():
        out["param." + name] = f32(t)
    out["input_ids"] = i32(input_ids)
    out["targets"] = i32(targets)

    # Single forward/backward from the initial parameters.
    params = {n: t.clone().requires_grad_(True) for n, t in init.items()}
    logits = forward(params, input_ids)
    loss = loss_fn(logits, targets)
    loss.backward()
    out["logits"] = f32(logits)
    out["loss"] = f32(loss.reshape(1))
    for name, t in params.items():
        out["grad." + name] = f32(t.grad)
    print("loss: %.10f" % loss.item())

    # AdamW training run from the same initial parameters, same batch each step.
    a = CONFIG["adamw"]
    params = {n: t.clone().requires_grad_(True) for n, t in init.items()}
    plist = list(params.values())
    opt = torch.optim.AdamW(plist, lr=a["lr"], betas=tuple(a["betas"]), eps=a["eps"],
                            weight_decay=a["weight_decay"])
    losses = []
    for _ in range(a["steps"]):
        l = loss_fn(forward(params, input_ids), targets)
        losses.append(l.item())
        l.backward()
        torch.nn.utils.clip_grad_norm_(plist, a["clip_grad_norm"])
        opt.step()
        opt.zero_grad()
    out["adamw_losses"] = f32(torch.tensor(losses))
    for name, t in params.items():
        out["adamw_final." + name] = f32(t)
    print("adamw_losses:", " ".join("%.10f" % v for v in losses))

    metadata = {
        "format": "cm3leon-golden-v1",
        "config": json.dumps(CONFIG, sort_keys=True),
        "generator": "dev/make_golden.py",
        "torch": torch.__version__,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    save_safetensors(out_path, out, metadata)
    print("wrote %s (%d bytes, %d tensors)" % (out_path, os.path.getsize(out_path), len(out)))


if __name__ == "__main__":
    main()
