#!/usr/bin/env python3
"""Prints the table of assembly/trig.ts from 200-bit mpmath values: for j = 0..255 the pair
(RN(cos 2πj/256), RN(sin 2πj/256)); cospi/sinpi make the entries at quarter turns exactly 0 and ±1."""
import mpmath

mpmath.mp.prec = 200

rows = []
for j in range(256):
    t = mpmath.mpf(2 * j) / 256
    rows.append(f"{float(mpmath.cospi(t))!r}, {float(mpmath.sinpi(t))!r}, // {j}")
print("\n".join("  " + r for r in rows))
