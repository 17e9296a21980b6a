"""Reading User Monitoring rows back as a user sees them: the text of each cell."""

from html.parser import HTMLParser

CELLS = ("state", "department", "name", "surname", "extension", "username", "terminals", "diag")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and dict(attrs).get("data-account"):
            self._row = []
            self.rows[dict(attrs)["data-account"]] = self._row
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def row_cells(html: str) -> dict[int, dict[str, str]]:
    """account id -> {cell name: its text, entities decoded} for every row in `html`."""
    parser = _Cells()
    parser.feed(html)
    return {int(account): dict(zip(CELLS, texts, strict=True)) for account, texts in parser.rows.items()}
