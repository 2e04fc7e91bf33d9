"""NCA from Python equals `cartpk nca` (its CSV files), and a data frame equals its file."""

import numpy as np
import pandas as pd
import pytest

import cartpk
from conftest import read_cli_csv


def assert_same_table(py: pd.DataFrame, cli: pd.DataFrame):
    """Same column names in the same order, same text, numbers exactly equal (the CLI
    writes the shortest decimal that reads back to the same f64)."""
    assert list(py.columns) == list(cli.columns)
    assert len(py) == len(cli)
    for c in py.columns:
        a, b = py[c], cli[c]
        if not pd.api.types.is_numeric_dtype(a.dtype):
            np.testing.assert_array_equal(a.to_numpy(), b.astype(str).to_numpy(), err_msg=c)
        else:
            np.testing.assert_array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), err_msg=c)


@pytest.fixture(scope="module")
def cli_nca(cli, root, tmp_path_factory):
    out = tmp_path_factory.mktemp("nca")
    cli("nca", root / "data/seed_cohort.csv", "--out", out, "--quiet")
    return out


def test_wide_equals_cli_on_seed_cohort(root, cli_nca):
    py = cartpk.nca(root / "data/seed_cohort.csv")
    assert_same_table(py, read_cli_csv(cli_nca / "nca_wide.csv"))
    assert py.shape[0] > 100 and "cmax [conc_unit]" in py.columns


def test_long_equals_cli_on_seed_cohort(root, cli_nca):
    py = cartpk.nca(root / "data/seed_cohort.csv", layout="long")
    cli = read_cli_csv(cli_nca / "nca_long.csv")
    # The CLI writes the end of a whole-profile interval as `Inf`.
    assert_same_table(py, cli)
    assert set(py["parameter"]) >= {"cmax", "tmax", "aucint.last", "lambda.z", "half.life"}


def test_options_equal_cli_flags(root, cli, tmp_path):
    cli("nca", root / "data/cart_cohort.csv", "--out", tmp_path, "--quiet", "--auc-method", "linear",
        "--interval", "0-14", "--blq-after-last", "drop", "--dose", "5e7", "--auc-start", "none")
    py = cartpk.nca(root / "data/cart_cohort.csv", auc_method="linear", intervals=[(0, 14)],
                    blq_after_last="drop", dose=5e7, auc_start="none")
    assert_same_table(py, read_cli_csv(tmp_path / "nca_wide.csv"))
    assert "cmax.dn [conc_unit/dose_unit]" in py.columns


def test_dataframe_equals_file(root):
    path = root / "data/seed_cohort.csv"
    from_file = cartpk.nca(path)
    from_frame = cartpk.nca(pd.read_csv(path))
    pd.testing.assert_frame_equal(from_file, from_frame)


def test_dataframe_with_cdisc_names_and_text_results_equals_file(root):
    # CDISC names, hours, `<50`/`BLQ`/`BQL` results: read_csv keeps them as text.
    path = root / "data/messy_lab_export.csv"
    pd.testing.assert_frame_equal(cartpk.nca(path), cartpk.nca(pd.read_csv(path)))


def test_lab_export_with_options_equals_file(root):
    path = root / "data/lab_export_3pt.csv"
    opts = dict(assay="qpcr", lloq=50, uloq=105414)
    a = cartpk.nca(path, on_error="ignore", **opts)
    # Every cell as the text it is in the file (`<LLOQ`, `QNS`, `"1,250"`, Latin-1 `µ`).
    frame = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    b = cartpk.nca(frame, on_error="ignore", **opts)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 0


def test_polars_in_and_out(root):
    pl = pytest.importorskip("polars")
    path = root / "data/seed_cohort.csv"
    out = cartpk.nca(pl.read_csv(path))
    assert isinstance(out, pl.DataFrame)
    pd_out = cartpk.nca(path)
    assert out.columns == list(pd_out.columns)
    np.testing.assert_array_equal(out["cmax [conc_unit]"].to_numpy(), pd_out["cmax [conc_unit]"].to_numpy())
    assert out["subject"].to_list() == pd_out["subject"].tolist()


def test_dataset_reused(root):
    ds = cartpk.read_assay(root / "data/seed_cohort.csv")
    assert len(ds) == ds.n_profiles > 0
    pd.testing.assert_frame_equal(cartpk.nca(ds), cartpk.nca(root / "data/seed_cohort.csv"))


def test_acceptance_command(root):
    """The README's check: `cartpk.nca('data/cart_cohort.csv').shape`."""
    shape = cartpk.nca(str(root / "data/cart_cohort.csv")).shape
    # 20 patients x (blood qPCR, blood flow, marrow qPCR, CSF qPCR...) profiles.
    assert shape[0] == len(cartpk.read_assay(root / "data/cart_cohort.csv"))
    assert shape[1] > 20


def test_defaults_are_the_library_defaults():
    import inspect

    lib = cartpk._defaults()
    for fn in (cartpk.nca, cartpk.fit, cartpk.run):
        for name, p in inspect.signature(fn).parameters.items():
            if name in lib and p.default is not inspect.Parameter.empty:
                want = lib[name]
                got = [tuple(i) for i in p.default] if name == "intervals" else p.default
                assert got == want, f"{fn.__name__}({name}=...) default {got!r}, library {want!r}"


def test_object_and_categorical_columns_equal_file(root):
    """Text columns in every pandas layout (object, category, Arrow-backed str) read the
    same."""
    path = root / "data/seed_cohort.csv"
    from_file = cartpk.nca(path)
    frame = pd.read_csv(path)
    as_object = frame.astype({c: object for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})
    pd.testing.assert_frame_equal(cartpk.nca(as_object), from_file)
    as_category = frame.astype({"subject": "category", "matrix": "category", "assay": "category"})
    pd.testing.assert_frame_equal(cartpk.nca(as_category), from_file)
