#!/usr/bin/env python3
"""Compares two `cartpk` binaries on the same `cartpk nca` input, runs interleaved (A, B,
A, B...) so that both see the same machine load, and prints a Markdown table of wall time
and CPU time (user + sys, from the kernel's rusage: far less sensitive than wall time to
other processes on a shared machine).

usage: python3 benches/nca_before_after.py BEFORE_BINARY AFTER_BINARY INPUT.csv [RUNS=7]
       [-- EXTRA ARGS FOR AFTER_BINARY, e.g. --auc-start none]

INPUT is made by benches/make_nca_input.py (e.g. 100000 profiles).
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(binary, data, out, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([binary, "nca", data, "--out", out, "--quiet", *extra], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    args, extra = sys.argv[1:], []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    a, b, data = args[:3]
    runs = int(args[3]) if len(args) > 3 else 7
    res = {a: ([], []), b: ([], [])}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            for binary in (a, b):
                wall, cpu = run_once(binary, data, out, extra if binary == b else [])
                res[binary][0].append(wall)
                res[binary][1].append(cpu)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"extra args of the second binary: {' '.join(extra) or 'none'}")
    print()
    print("| binary | runs | median wall | min wall | median CPU (user+sys) | min CPU |")
    print("| --- | --- | --- | --- | --- | --- |")
    for binary in (a, b):
        w, c = res[binary]
        print(f"| {binary} | {runs} | {statistics.median(w):.2f} s | {min(w):.2f} s | "
              f"{statistics.median(c):.2f} s | {min(c):.2f} s |")


if __name__ == "__main__":
    main()
