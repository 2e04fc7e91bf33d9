#!/usr/bin/env python3
"""NCA of N profiles from a pandas DataFrame with `cartpk.nca`, side by side with the
`cartpk nca` binary on the same data (issue 14: no more than 1.5x the CLI's time).

usage (with the release wheel installed: `pip install ./crates/python pandas`):

    python3 benches/python_nca.py [N_PROFILES=100000] [RUNS=5]

Builds the release binary, writes the synthetic input of the NCA benchmark
(benches/make_nca_input.py: 100,000 profiles x 15 samples, 1.5 M rows, BLQ as `<50`),
reads it once with `pd.read_csv` (not timed: the frame is the input), then times, runs
interleaved:

- `cartpk nca FILE --out DIR` (all cores; reads the CSV, writes the long and wide CSV);
- `cartpk.nca(df)`: DataFrame in, wide DataFrame out (nca_wide.csv's columns);
- `cartpk.nca(df, layout="long")`: DataFrame in, long DataFrame out (2.4 M rows);
- `cartpk.nca(FILE)`: the CSV file in, wide DataFrame out.

Prints wall time (median, min, max) and CPU time (user+sys) and the ratio to the CLI.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    import pandas as pd

    import cartpk

    n_profiles = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cartpk"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "cartpk")
    data = os.path.join(tempfile.gettempdir(), f"cartpk_bench_{n_profiles}.csv")
    if not os.path.exists(data):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "make_nca_input.py"), data,
                        str(n_profiles)], check=True)
    df = pd.read_csv(data)
    print(f"input: {data} ({len(df):,} rows, {n_profiles:,} profiles); cartpk {cartpk.__version__}; "
          f"pandas {pd.__version__}; {os.cpu_count()} cores")

    def cli():
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([binary, "nca", data, "--out", out, "--quiet"], check=True)

    cases = [
        ("cartpk nca FILE (CLI, CSV out)", cli, cpu_children),
        ("cartpk.nca(df) -> wide DataFrame", lambda: cartpk.nca(df), cpu_self),
        ("cartpk.nca(df, layout='long')", lambda: cartpk.nca(df, layout="long"), cpu_self),
        ("cartpk.nca(FILE) -> wide DataFrame", lambda: cartpk.nca(data), cpu_self),
    ]
    wall = {name: [] for name, _, _ in cases}
    cpu = {name: [] for name, _, _ in cases}
    cases[1][1]()  # warm-up (imports, page cache)
    for _ in range(runs):
        for name, fn, clock in cases:
            c0, t0 = clock(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(clock() - c0)
    base = statistics.median(wall[cases[0][0]])
    print()
    print("| case | runs | median wall | min | max | median CPU | vs CLI (median wall) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, _, _ in cases:
        w = wall[name]
        m = statistics.median(w)
        print(f"| {name} | {runs} | {m:.2f} s | {min(w):.2f} s | {max(w):.2f} s | "
              f"{statistics.median(cpu[name]):.2f} s | {m / base:.2f}x |")


if __name__ == "__main__":
    main()
