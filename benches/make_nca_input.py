#!/usr/bin/env python3
"""Writes a synthetic long-format assay CSV for the NCA end-to-end benchmark.

Profiles follow the Stein 2019 shape (exponential expansion to a peak near day 9, then
biphasic decline) with log-normal noise, an LLOQ of 50 copies/ug (0.1 % for flow), and BLQ
written as "<LLOQ" as lab exports do. Deterministic for a given seed.

usage: make_nca_input.py OUT.csv [N_PROFILES=100000] [SEED=1]
"""
import math
import random
import sys

TIMES = [0, 1, 4, 7, 11, 14, 21, 28, 56, 84, 112, 168, 270, 365, 540]  # 15 samples


def main():
    out = sys.argv[1]
    n_profiles = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    lines = ["subject,matrix,assay,time,value,unit,lloq\n"]
    for i in range(n_profiles // 2):
        subject = f"S{i:06d}"
        cmax = 24000 * math.exp(rng.gauss(0, 0.8))
        tmax = 9.3 * math.exp(rng.gauss(0, 0.4))
        foldx = 3900 * math.exp(rng.gauss(0, 1.2))
        alpha = 0.16 * math.exp(rng.gauss(0, 0.7))
        beta = 0.0032 * math.exp(rng.gauss(0, 0.7))
        fb = min(0.5, 0.0079 * math.exp(rng.gauss(0, 0.7)))
        rho = math.log(foldx) / tmax
        for assay, unit, lloq, scale in (("qpcr", "copies/ug", 50.0, 1.0), ("flow", "%", 0.1, 1e-3)):
            for t in TIMES:
                if t < tmax:
                    c = cmax / foldx * math.exp(rho * t)
                else:
                    d = t - tmax
                    c = cmax * ((1 - fb) * math.exp(-alpha * d) + fb * math.exp(-beta * d))
                c *= scale * math.exp(rng.gauss(0, 0.4))
                value = f"<{lloq:g}" if c < lloq else f"{c:.6g}"
                lines.append(f"{subject},blood,{assay},{t},{value},{unit},{lloq:g}\n")
    with open(out, "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
