"""PyTorch peer for `npm run bench -- webgpu`: fp32 GEMM TFLOP/s per shape (cuBLAS with TF32 off on
a CUDA device, else the CPU). Shapes are M,N,K[,NN|NT|TN] triples; prints one line of JSON:
{"device": ..., "tflops": {"M,N,K,NN": value, ...}}.

    python3 dev/bench_gemm_torch.py 1024,1024,1024,NN 4096,768,768,NT
"""
import json
import sys
import time

import torch


def main():
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    out = {}
    for spec in sys.argv[1:]:
        parts = spec.split(",")
        m, n, k = (int(x) for x in parts[:3])
        mode = parts[3] if len(parts) > 3 else "NN"
        g = torch.Generator().manual_seed(1)
        a = torch.randn(k, m, generator=g) if mode[0] == "T" else torch.randn(m, k, generator=g)
        b = torch.randn(n, k, generator=g) if mode[1] == "T" else torch.randn(k, n, generator=g)
        a, b = a.to(dev), b.to(dev)
        op = lambda: (a.t() if mode[0] == "T" else a) @ (b.t() if mode[1] == "T" else b)
        for _ in range(3):
            op()
        reps = 20 if dev == "cuda" else 3
        best = float("inf")
        for _ in range(5):
            if dev == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(reps):
                op()
            if dev == "cuda":
                torch.cuda.synchronize()
            best = min(best, (time.perf_counter() - t0) / reps)
        out[spec] = 2 * m * n * k / best / 1e12
    name = torch.cuda.get_device_name(0) if dev == "cuda" else "cpu"
    print(json.dumps({"device": name, "tflops": out}))


if __name__ == "__main__":
    main()
