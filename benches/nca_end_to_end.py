#!/usr/bin/env python3
"""End-to-end benchmark of `cartpk nca`: CSV in, long + wide CSV out, all cores.

Builds the release binary, writes the synthetic input with make_nca_input.py (100,000
profiles x 15 samples by default) unless it exists, runs `cartpk nca` several times and
prints a Markdown table for docs/benchmarks.md.

usage: python3 benches/nca_end_to_end.py [N_PROFILES=100000] [RUNS=5]
"""
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    n_profiles = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cartpk"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "cartpk")
    data = os.path.join(tempfile.gettempdir(), f"cartpk_bench_{n_profiles}.csv")
    if not os.path.exists(data):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "make_nca_input.py"), data, str(n_profiles)], check=True)
    size_mb = os.path.getsize(data) / 1e6
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([binary, "nca", data, "--out", out, "--quiet"], check=True)
            times.append(time.perf_counter() - t0)
        out_mb = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)) / 1e6
    med = statistics.median(times)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {os.cpu_count()} cores, {cpu}")
    print(f"input: {n_profiles} profiles x 15 samples, {size_mb:.0f} MB; output {out_mb:.0f} MB (long + wide + errors CSV)")
    print()
    print("| runs | median wall time | min | max | per profile | profiles/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| {runs} | {med:.2f} s | {min(times):.2f} s | {max(times):.2f} s | {med / n_profiles * 1e6:.1f} us | {n_profiles / med:,.0f} |")


if __name__ == "__main__":
    main()
