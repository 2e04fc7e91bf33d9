#!/usr/bin/env python3
"""End-to-end benchmark of `cartpk nca`: CSV in, tables out, all cores.

Builds the release binary, writes the synthetic input with make_nca_input.py (100,000
profiles x 15 samples by default) unless it exists, runs `cartpk nca` several times per
output format and prints a Markdown table for docs/benchmarks.md: wall time, CPU time
(user + sys) and peak memory (maximum resident set size) of each run, from the kernel's
rusage of the child process.

usage: python3 benches/nca_end_to_end.py [N_PROFILES=100000] [RUNS=5] [FORMAT...]
       FORMAT: csv (default), json, all, or wide (csv with --no-long: the wide table
       alone); e.g. `... 1000000 3 csv wide json all`
"""
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(binary, data, out, fmt):
    t0 = time.perf_counter()
    args = ["--format", "csv", "--no-long"] if fmt == "wide" else ["--format", fmt]
    p = subprocess.Popen([binary, "nca", data, "--out", out, "--quiet"] + args)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"cartpk nca exited with {p.returncode}")
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    args = sys.argv[1:]
    n_profiles = int(args[0]) if len(args) > 0 else 100_000
    runs = int(args[1]) if len(args) > 1 else 5
    formats = args[2:] or ["csv"]
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cartpk"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "cartpk")
    data = os.path.join(tempfile.gettempdir(), f"cartpk_bench_{n_profiles}.csv")
    if not os.path.exists(data):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "make_nca_input.py"), data, str(n_profiles)], check=True)
    size_mb = os.path.getsize(data) / 1e6
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {os.cpu_count()} cores, {cpu}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"input: {n_profiles} profiles x 15 samples, {size_mb:.0f} MB")
    print()
    print("| format | runs | output | median wall time | min | max | median CPU (user+sys) | peak memory | per profile | profiles/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for fmt in formats:
        walls, cpus, rss = [], [], []
        with tempfile.TemporaryDirectory(dir=os.path.dirname(data)) as out:
            for _ in range(runs):
                w, c, m = run_once(binary, data, out, fmt)
                walls.append(w)
                cpus.append(c)
                rss.append(m)
            out_mb = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)) / 1e6
        med = statistics.median(walls)
        print(f"| {fmt} | {runs} | {out_mb:,.0f} MB | {med:.2f} s | {min(walls):.2f} s | {max(walls):.2f} s "
              f"| {statistics.median(cpus):.2f} s | {max(rss):,.0f} MB | {med / n_profiles * 1e6:.1f} us | {n_profiles / med:,.0f} |")


if __name__ == "__main__":
    main()
