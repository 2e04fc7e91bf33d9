#!/usr/bin/env python3
"""End-to-end benchmark of `cartpk run` on a simulated cohort: NCA, model fits, figures,
tables and report.html. Builds the release binary, simulates the cohort with
`cartpk simulate` (2,000 patients by default: blood qPCR and flow, marrow, CSF), runs
`cartpk run` several times and prints a Markdown table for docs/benchmarks.md: wall time,
report.html size, total output size.

usage: python3 benches/run_report.py [N_SUBJECTS=2000] [RUNS=3] [extra `cartpk run` flags...]
(e.g. `--population-min-subjects 0` to leave out the population fit)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def du(path):
    total = 0
    for d, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    extra = sys.argv[3:]
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cartpk"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "cartpk")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "cohort.csv")
        subprocess.run([binary, "simulate", "--n-subjects", str(n), "--out", data, "--quiet"], check=True)
        subjects = os.path.join(tmp, "cohort_subjects.csv")
        times = []
        out = os.path.join(tmp, "results")
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([binary, "run", data, "--subjects", subjects, "--out", out, "--quiet", *extra], check=True)
            times.append(time.perf_counter() - t0)
        html_mb = os.path.getsize(os.path.join(out, "report.html")) / 1e6
        total_mb = du(out) / 1e6
    load = os.getloadavg()[0]
    flags = " ".join(extra) or "(defaults)"
    print(f"| patients | flags | runs | median wall (s) | min (s) | report.html (MB) | all outputs (MB) | load average |")
    print(f"| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {n} | {flags} | {runs} | {statistics.median(times):.1f} | {min(times):.1f} | {html_mb:.2f} | {total_mb:.0f} | {load:.1f} |")


if __name__ == "__main__":
    main()
