"""Reading a CSV file strictly, for every import (a shop's jobs, a food hub's orders).

Only well-formed CSV is read: a quote opened and never closed (the rest of the file would
become one cell: reading stops there), quotes out of place, a NUL character, a cell over
the reader's field limit (131,072 characters), or a row with more or fewer cells than the
header names is a refused row with the line it starts on, and the caller imports nothing
(each import checks its own fields' lengths). The separator is the header's (``,`` ``;``
or tab); quoting is Excel's (``""`` for a quote); any line ending ends a row (``\\r\\n``,
``\\r``, ``\\n``); a UTF-8 byte order mark is dropped; blank rows and empty cells after the
last column (a trailing separator) are ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from courier.errors import InvalidInput


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, why), by line


def read_table(text: str) -> Table:
    """The header (stripped), the well-formed rows with their line numbers, and the rows
    that are not CSV with why. An empty file is refused (``file``)."""
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise InvalidInput("the file is empty", {"file": "empty"})
    try:  # the header tells the separator
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    records, broken = _records(text, delimiter)
    header = [h.strip() for h in (records.pop(0)[1] if records else [])]
    table = Table(header, broken=broken)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # a blank row
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]  # empty cells after the last column: trailing separators
        if any("\x00" in c for c in cells):
            table.broken.append((line, "a NUL character: the file is not plain text"))
        elif len(cells) != len(header):
            table.broken.append((line, f"{len(cells)} cells where the header names "
                                       f"{len(header)} columns"))
        else:
            table.rows.append((line, cells))
    table.broken.sort()
    return table


def _records(text: str, delimiter: str) -> tuple[list[tuple[int, list[str]]],
                                                 list[tuple[int, str]]]:
    """Every record of the file with the line it starts on (blank lines left out), and
    the record whose quoting is broken, if one is."""
    lines = io.StringIO(text, newline=None)  # \r\n, \r and \n all end a line
    reader = csv.reader(lines, csv.excel, delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return records, []
        except csv.Error as err:
            why = ("a quote opened on this row is never closed" if "end of data" in str(err)
                   else f"quotes out of place ({err})" if "expected after" in str(err)
                   else f"a cell over {csv.field_size_limit()} characters"
                   if "field limit" in str(err) else f"not readable as CSV ({err})")
            return records, [(line, why)]
        if cells:
            records.append((line, cells))
