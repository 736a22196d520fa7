#!/usr/bin/env python3
"""Write a tiny safetensors file using only the Python standard library.

Used to produce test/fixtures/python_written.safetensors, which the TypeScript
tests (test/io/safetensors.test.ts) read back to cross-check the format:
  python3 dev/safetensors_check.py test/fixtures/python_written.safetensors
"""
import json
import struct
import sys


def main(path: str) -> None:
    a = struct.pack("<6f", *[float(i) for i in range(6)])  # F32 'a', shape [2, 3], values 0..5
    b = struct.pack("<4i", -1, 0, 1, 2147483647)  # I32 'b', shape [4]
    header = {
        "__metadata__": {"producer": "python"},
        "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, len(a)]},
        "b": {"dtype": "I32", "shape": [4], "data_offsets": [len(a), len(a) + len(b)]},
    }
    hdr = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hdr += b" " * ((-(8 + len(hdr))) % 8)  # pad so the data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hdr)) + hdr + a + b)

    # Read it back with the same primitives as a sanity check.
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    parsed = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    s, e = parsed["a"]["data_offsets"]
    assert list(struct.unpack("<6f", data[s:e])) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    s, e = parsed["b"]["data_offsets"]
    assert list(struct.unpack("<4i", data[s:e])) == [-1, 0, 1, 2147483647]
    print(f"wrote {path} ({len(raw)} bytes, header {n} bytes)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: safetensors_check.py OUT.safetensors")
    main(sys.argv[1])
