#!/usr/bin/env python3
"""Prints the constants of assembly/exp_table.ts (Tang's table-driven exp, N = 64) from 200-bit mpmath values.

T[j] = bits(RN(2^(j/64))) - (j << 46): adding the integer k << 46 (k = 64·m + j) then yields the bits of
2^m · RN(2^(j/64)). LN2_HI_64 is ln2/64 with its 16 low mantissa bits cleared, so k·LN2_HI_64 is exact for
|k| < 2^16 (|x| ≤ 708 gives |k| ≤ 65,371); LN2_LO_64 = RN(ln2/64 − LN2_HI_64).
"""
import struct
import mpmath

mpmath.mp.prec = 200


def bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<q", b))[0]


N = 64
table = [bits(float(mpmath.mpf(2) ** (mpmath.mpf(j) / N))) - (j << 46) for j in range(N)]
ln2n = mpmath.log(2) / N
hi = from_bits(bits(float(ln2n)) & ~((1 << 16) - 1))
lo = float(ln2n - mpmath.mpf(hi))
print("INV_LN2_64 =", repr(float(N / mpmath.log(2))))
print("LN2_HI_64 =", repr(hi))
print("LN2_LO_64 =", repr(lo))
for i in range(0, N, 4):
    print("  " + ", ".join(f"0x{t:016x}" for t in table[i:i + 4]) + ",")
