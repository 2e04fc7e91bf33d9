"""Columns between the native module and data frames, with no Python object per cell."""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np

_NUMERIC_KINDS = "biuf"


def to_pandas(columns: Sequence[Tuple[str, str, bytes, Any]], attrs=None):
    """A pandas DataFrame from native columns (name, kind, bytes, levels)."""
    import pandas as pd

    data = {}
    arrow_str = _arrow_str()
    for name, kind, raw, levels in columns:
        if kind == "text" and arrow_str:
            import pyarrow as pa

            codes = pa.array(np.frombuffer(raw, dtype=np.uint32))
            taken = pa.array(list(levels), type=pa.large_string()).take(codes)
            data[name] = pd.array(taken, dtype="str")
        elif kind == "text":
            # Kept as object (pandas < 3's text dtype): no per-cell inference.
            data[name] = pd.Series(_array(kind, raw, levels), dtype=object, copy=False)
        else:
            data[name] = _array(kind, raw, levels)
    df = pd.DataFrame(data, copy=False)
    if attrs:
        df.attrs.update(attrs)
    return df


def to_polars(columns: Sequence[Tuple[str, str, bytes, Any]]):
    """A polars DataFrame: numbers zero-copy from the native buffers, text as strings."""
    import polars as pl

    series = []
    for name, kind, raw, levels in columns:
        if kind == "text":
            codes = np.frombuffer(raw, dtype=np.uint32)
            cats = pl.Series(name, list(levels), dtype=pl.Utf8)
            series.append(cats.gather(pl.Series(codes)) if len(codes) else pl.Series(name, [], dtype=pl.Utf8))
        else:
            series.append(pl.Series(name, _array(kind, raw, levels)))
    return pl.DataFrame(series)


_ARROW_STR = None


def _arrow_str() -> bool:
    """Whether text columns are built as pandas' default `str` dtype backed by pyarrow
    (pandas 3 with pyarrow): a C-level gather of the distinct values instead of the
    per-cell inference pandas 3 makes of an object array (10x slower on 2.4 M rows)."""
    global _ARROW_STR
    if _ARROW_STR is None:
        try:
            import pandas as pd
            import pyarrow  # noqa: F401

            _ARROW_STR = (int(pd.__version__.split(".")[0]) >= 3
                          and pd.StringDtype(na_value=np.nan).storage == "pyarrow"
                          and pd.api.types.pandas_dtype("str") == pd.StringDtype(na_value=np.nan))
        except Exception:
            _ARROW_STR = False
    return _ARROW_STR


def _array(kind: str, raw: bytes, levels):
    if kind == "f64":
        return np.frombuffer(raw, dtype=np.float64)
    if kind == "i64":
        return np.frombuffer(raw, dtype=np.int64)
    if kind == "bool":
        return np.frombuffer(raw, dtype=np.uint8).astype(bool)
    if kind == "text":
        codes = np.frombuffer(raw, dtype=np.uint32)
        lv = np.empty(len(levels), dtype=object)
        lv[:] = levels
        # Fancy indexing of an object array shares the distinct strings: no new object
        # per cell.
        return lv[codes] if len(lv) else np.empty(len(codes), dtype=object)
    raise ValueError(f"unknown column kind {kind}")


def is_polars(obj) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("polars") and hasattr(obj, "columns")


def is_pandas(obj) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("pandas") and hasattr(obj, "columns")


def from_frame(df) -> Tuple[List[str], List[Tuple[str, bytes, str]]]:
    """A pandas or polars frame as native columns: numbers as raw f64/i64, everything
    else factorised (codes and distinct values) and written as text."""
    import pandas as pd

    names: List[str] = []
    cols: List[Tuple[str, bytes, str]] = []
    polars = is_polars(df)
    for name in df.columns:
        s = df[name]
        names.append(str(name))
        if polars:
            dtype = s.dtype
            if dtype.is_numeric() and not dtype == __import__("polars").Boolean:
                arr = s.cast(__import__("polars").Float64).to_numpy()
                cols.append(("f64", np.ascontiguousarray(arr, dtype=np.float64).tobytes(), ""))
                continue
            arrow = _arrow_text(s)
            if arrow is not None:
                cols.append(arrow)
                continue
            s = pd.Series(s.to_numpy(), dtype=object)
        else:
            if s.dtype.kind in "iu" and not hasattr(s.dtype, "na_value"):
                cols.append(("i64", np.ascontiguousarray(s.to_numpy(), dtype=np.int64).tobytes(), ""))
                continue
            if s.dtype.kind == "f" or (s.dtype.kind in "iu"):
                arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
                cols.append(("f64", np.ascontiguousarray(arr).tobytes(), ""))
                continue
        arrow = _arrow_text(s)
        if arrow is not None:
            cols.append(arrow)
            continue
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        try:
            # All text (the usual case): one C-level join.
            joined = "\0".join(uniques)
        except TypeError:
            joined = "\0".join(u if isinstance(u, str) else _text(u) for u in uniques)
        if joined.count("\0") != max(len(uniques) - 1, 0):
            raise ValueError(f"column '{name}': text holds a NUL character")
        cols.append(("text", np.ascontiguousarray(codes, dtype=np.int64).tobytes(), joined))
    return names, cols


def _arrow_text(s):
    """An Arrow-backed text column (pandas' pyarrow `str`, polars strings) as its raw
    buffers: ("utf8", int64 offsets, UTF-8 data, one validity byte per row). None when
    the column is not Arrow text."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    try:
        if hasattr(s, "to_arrow"):  # polars
            arr = s.to_arrow()
        else:
            dtype = s.dtype
            if getattr(dtype, "storage", None) != "pyarrow" and "pyarrow" not in str(dtype):
                return None
            arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
                or str(arr.type) == "string_view"):
            return None
        arr = arr.cast(pa.large_string())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    n = len(arr)
    _, offsets, data = arr.buffers()
    offs = np.frombuffer(offsets, dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    start = int(offs[0]) if n else 0
    offs = offs - start
    end = int(offs[-1]) if n else 0
    raw = data.to_pybytes()[start:start + end] if data is not None else b""
    valid = arr.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8)
    return ("utf8", offs.astype(np.int64).tobytes(), raw, valid.tobytes())


def _text(v) -> str:
    if isinstance(v, bool) or isinstance(v, np.bool_):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(v)
