"""Exceptions and warnings of cartpk.

Bad input never passes silently: a file that cannot be read as a table raises
:class:`InputError`; a bad row skips its profile (the others are analysed, as with the
command line) and becomes a :class:`DataWarning`, or an :class:`InputError` with
``on_error="raise"``. Both carry the file, line and column.
"""

from __future__ import annotations

from typing import Optional


class CartpkError(Exception):
    """Base class of cartpk's exceptions."""


class InputError(CartpkError, ValueError):
    """Input that cannot be analysed.

    Attributes:
        message: what is wrong and what was expected (with file, line and column).
        file: the input file, or ``"<DataFrame>"`` for a data frame.
        line: 1-based line of the CSV (for a data frame: row ``line - 2`` of the frame,
            the header being line 1), or None when no line is to blame.
        column: 1-based column number, or None.
        column_name: the column's name in the header, or None.
        row: for a data frame, the 0-based position of the row (``df.iloc[row]``).
    """

    def __init__(
        self,
        message: str,
        file: str,
        line: Optional[int] = None,
        column: Optional[int] = None,
        column_name: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = None if line is None else int(line)
        self.column = None if column is None else int(column)
        self.column_name = column_name

    @property
    def row(self) -> Optional[int]:
        if self.file == "<DataFrame>" and self.line is not None and self.line >= 2:
            return self.line - 2
        return None


class DataWarning(UserWarning):
    """A skipped row or profile (the others were analysed), with where it is.

    Attributes: ``message``, ``file``, ``line``, ``column_name``, ``subject``, ``matrix``,
    ``assay`` (empty strings / None when unknown).
    """

    def __init__(self, message: str, file: str = "", line: Optional[int] = None,
                 column_name: Optional[str] = None, subject: str = "", matrix: str = "",
                 assay: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column_name = column_name
        self.subject = subject
        self.matrix = matrix
        self.assay = assay
