"""Printable documents (a member's monthly pay statement, a shop's invoice) as PDF, with
fpdf2 and its built-in Helvetica: nothing to install beside the package, and it works the
same on any machine.

The built-in fonts write Windows-1252, which has every letter of French and English, the
euro sign and typographic quotes; the few spaces Babel uses that it lacks (the narrow
no-break space of French numbers) are written as a no-break space. Every piece of text a
document writes is kept in :attr:`Document.written`, in order, so tests can read exactly
what a document says.
"""

from __future__ import annotations

ENCODING = "windows-1252"
_SPACES = {"\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0"}
WIDTH = 180  # mm between the margins of an A4 page


def printable(text) -> str:
    """``text`` as the built-in fonts can write it."""
    out = "".join(_SPACES.get(ch, ch) for ch in str(text))
    return out.encode(ENCODING, "replace").decode(ENCODING)


class Document:
    """An A4 document: a title, lines of text, label-value pairs and tables."""

    def __init__(self, title: str, author: str = "", lang: str = "en"):
        from fpdf import FPDF  # loaded when a document is written, not by every process

        self.pdf = FPDF(format="A4")
        self.pdf.core_fonts_encoding = ENCODING
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, 15)
        self.pdf.set_title(printable(title))
        self.pdf.set_author(printable(author))
        self.pdf.set_lang(lang)
        self.pdf.add_page()
        self.written: list[str] = []
        self.title(title)

    def _write(self, text, w: float = 0, h: float = 6, align: str = "L", border=0,
               ln: bool = True) -> None:
        text = printable(text)
        self.written.append(text)
        self.pdf.cell(w, h, text, border=border, align=align,
                      new_x="LMARGIN" if ln else "RIGHT",
                      new_y="NEXT" if ln else "TOP")

    def title(self, text: str) -> None:
        self.pdf.set_font("helvetica", "B", 16)
        self._write(text, h=10)
        self.pdf.set_font("helvetica", "", 10)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("helvetica", "B", 12)
        self._write(text, h=8)
        self.pdf.set_font("helvetica", "", 10)

    def text(self, line: str, bold: bool = False) -> None:
        """A paragraph, wrapped at the margins."""
        self.pdf.set_font("helvetica", "B" if bold else "", 10)
        line = printable(line)
        self.written.append(line)
        self.pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("helvetica", "", 10)

    def pairs(self, items: list[tuple[str, str]], label_w: float = 70) -> None:
        """Label and value on a line each."""
        for label, value in items:
            self._write(label, w=label_w, ln=False)
            self.pdf.set_font("helvetica", "B", 10)
            self._write(value)
            self.pdf.set_font("helvetica", "", 10)

    def table(self, heads: list[str], rows: list[list[str]], widths: list[float],
              right: set[int] = frozenset(), total: list[str] | None = None) -> None:
        """A table with its heading row repeated after a page break; ``right``: the
        columns aligned right (amounts); ``total``: a last row in bold."""
        def head():
            self.pdf.set_font("helvetica", "B", 9)
            for i, h in enumerate(heads):
                self._write(h, w=widths[i], align="R" if i in right else "L", border="B",
                            ln=i == len(heads) - 1)
            self.pdf.set_font("helvetica", "", 9)

        head()
        for row in [*rows, *([total] if total else [])]:
            if self.pdf.will_page_break(6):
                self.pdf.add_page()
                head()
            if row is total:
                self.pdf.set_font("helvetica", "B", 9)
            for i, cell in enumerate(row):
                self._write(cell, w=widths[i], align="R" if i in right else "L",
                            border="T" if row is total else 0, ln=i == len(row) - 1)
        self.pdf.set_font("helvetica", "", 10)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
