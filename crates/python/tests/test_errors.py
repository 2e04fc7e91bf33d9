"""Bad input: Python exceptions and warnings that carry file, line, column and message."""

import warnings

import pandas as pd
import pytest

import cartpk

GOOD = "subject,matrix,assay,time,value,unit,lloq\n" + "".join(
    f"P1,blood,qpcr,{t},{v},copies/ug,50\n" for t, v in [(0, "<50"), (7, 5000), (14, 2000), (28, 400), (56, 100)]
) + "".join(
    f"P2,blood,qpcr,{t},{v},copies/ug,50\n" for t, v in [(0, "<50"), (7, 8000), (14, 3000), (28, 600), (56, 90)]
)


def test_missing_column_raises_with_file_and_line(tmp_path):
    path = tmp_path / "no_time.csv"
    path.write_text("subject,matrix,assay,value\nP1,blood,qpcr,5\n")
    with pytest.raises(cartpk.InputError) as e:
        cartpk.nca(path)
    assert e.value.file == str(path)
    assert e.value.line == 1
    assert "time" in e.value.message
    assert isinstance(e.value, ValueError)


def test_unreadable_file_raises(tmp_path):
    with pytest.raises(cartpk.InputError) as e:
        cartpk.read_assay(tmp_path / "nope.csv")
    assert e.value.file.endswith("nope.csv")


def bad_time_csv():
    # Line 4 (P1, day "seven"): P1 is skipped, P2 analysed.
    lines = GOOD.splitlines()
    lines[3] = "P1,blood,qpcr,seven,2000,copies/ug,50"
    return "\n".join(lines) + "\n"


def test_bad_row_is_a_warning_with_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(bad_time_csv())
    with pytest.warns(cartpk.DataWarning) as record:
        df = cartpk.nca(path)
    w = record[0].message
    assert (w.file, w.line, w.column_name, w.subject) == (str(path), 4, "time", "P1")
    assert "seven" in w.message
    # The other profile is analysed, as by the CLI.
    assert list(df["subject"]) == ["P2"]
    errors = df.attrs["errors"]
    assert list(errors.columns) == ["file", "line", "column", "subject", "matrix", "assay", "message"]
    assert errors["line"].tolist() == [4]


def test_on_error_raise_carries_file_line_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(bad_time_csv())
    with pytest.raises(cartpk.InputError) as e:
        cartpk.nca(path, on_error="raise")
    assert (e.value.file, e.value.line, e.value.column, e.value.column_name) == (str(path), 4, 4, "time")
    assert "seven" in str(e.value)


def test_dataframe_error_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(bad_time_csv())
    frame = pd.read_csv(path)
    with pytest.raises(cartpk.InputError) as e:
        cartpk.nca(frame, on_error="raise")
    assert e.value.file == "<DataFrame>"
    assert e.value.row == 2 and frame.iloc[e.value.row]["time"] == "seven"
    assert e.value.column_name == "time"


def test_dataframe_missing_column():
    with pytest.raises(cartpk.InputError) as e:
        cartpk.nca(pd.DataFrame({"subject": ["P1"], "value": [1.0]}))
    assert e.value.file == "<DataFrame>" and e.value.line == 1


def test_bad_option_names_the_argument(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    with pytest.raises(ValueError, match="auc_method"):
        cartpk.nca(path, auc_method="cubic")
    with pytest.raises(ValueError, match="intervals"):
        cartpk.nca(path, intervals=[(28, 0)])
    with pytest.raises(ValueError, match="blq_between"):
        cartpk.nca(path, blq_between="sometimes")
    with pytest.raises(TypeError, match="colums"):
        cartpk.nca(path, colums={"subject": "ID"})


def test_ignore_is_silent(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(bad_time_csv())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = cartpk.nca(path, on_error="ignore")
    assert len(df) == 1 and len(df.attrs["errors"]) == 1
