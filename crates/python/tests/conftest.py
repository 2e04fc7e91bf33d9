"""Shared fixtures: the repository, the `cartpk` binary the Python results are compared
with (CARTPK_BIN, else target/release or target/debug), and a runner for it."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs the `cartpk` binary; fails (not skips) when there is none, so that CI cannot
    pass without comparing with it."""
    env = os.environ.get("CARTPK_BIN")
    candidates = [Path(env)] if env else [ROOT / "target/release/cartpk", ROOT / "target/debug/cartpk"]
    found = [c for c in candidates if c.is_file()]
    if not found:
        pytest.fail(f"no cartpk binary (tried {candidates}); build it with `cargo build` or set CARTPK_BIN")
    binary = max(found, key=lambda p: p.stat().st_mtime)

    def run(*args, check=True):
        r = subprocess.run([str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        if check and r.returncode not in (0, 3):
            raise AssertionError(f"cartpk {' '.join(map(str, args))} exited {r.returncode}: {r.stderr}")
        return r

    return run


def read_cli_csv(path):
    """A CSV table of the CLI as pandas reads it, `NA` as NaN and empty text kept."""
    import pandas as pd

    return pd.read_csv(path, keep_default_na=False, na_values=["NA"])
