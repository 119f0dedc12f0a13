#!/usr/bin/env python3
"""Prints the table of assembly/log_table.ts from 200-bit mpmath values: for c_i = 0.6875 + i/256 (i < 80) and
c_i = 1 + (i - 80)/128 (i = 80..128), the bits of c_0 plus i·2^45, the pair (RN(1/c_i), RN(ln c_i))."""
import struct
import mpmath

mpmath.mp.prec = 200


def bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<q", b))[0]


rows = []
for i in range(129):
    c = from_bits(bits(0.6875) + (i << 45))
    rows.append(f"{float(1 / mpmath.mpf(c))!r}, {float(mpmath.log(mpmath.mpf(c)))!r}, // {i}: c = {c!r}")
print("\n".join("  " + r for r in rows))
