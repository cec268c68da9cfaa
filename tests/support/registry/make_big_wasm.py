#!/usr/bin/python3
"""Writes a valid proxy-wasm module of about SIZE bytes for transfer benchmarks: a small module
(the first argument, e.g. built from tests/data/artifact/http_filter.wat) followed by one custom
section "bench" of random bytes (custom sections are valid anywhere; validators skip them).

usage: make_big_wasm.py SMALL.wasm OUT.wasm SIZE_MIB
"""
import os
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    small, out, mib = sys.argv[1], sys.argv[2], float(sys.argv[3])
    base = open(small, 'rb').read()
    name = b'bench'
    payload_size = max(0, int(mib * (1 << 20)) - len(base) - 16)
    body_len = len(leb(len(name))) + len(name) + payload_size
    with open(out, 'wb') as f:
        f.write(base)
        f.write(b'\x00' + leb(body_len) + leb(len(name)) + name)
        left = payload_size
        while left > 0:
            chunk = os.urandom(min(left, 1 << 20))
            f.write(chunk)
            left -= len(chunk)


if __name__ == '__main__':
    main()
