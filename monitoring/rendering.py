"""The HTML of one User Monitoring row, shared by the page and its poll.

Written in Python rather than as a template partial because it is the hot path: the page draws
up to 5,000 rows and the poll a few dozen every 2 seconds per viewer; the template engine costs
about 0.35 ms a row, this about 25 µs. Every value goes through `html.escape`.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from voipadmin.console_settings import console_setting

from .rules import Terminal
from .selectors import UserRow

_SENTINEL = 987654321


def _url_format(name: str, *args) -> str:
    """A URL pattern as a format string: reverse once, fill in each row's id."""
    return reverse(name, args=[_SENTINEL, *args]).replace(str(_SENTINEL), "{}")


def _terminal_html(terminal: Terminal | None) -> str:
    if terminal is None:
        return '<span class="term"></span>'
    if terminal.calls_active:
        look = "busy"
    elif terminal.calls_ringing:
        look = "ringing"
    elif terminal.registered or terminal.source == "account":
        look = "on"
    else:
        look = "off"
    kind = escape(terminal.kind)
    attributes = f'class="term term-{kind} {look}" data-terminal="{terminal.slot}" title="{escape(terminal.hover)}"'
    icon = f'<svg class="icon"><use href="#term-{kind}"/></svg>'
    link = terminal.link
    if link:
        return f'<a href="{escape(link)}" target="_blank" rel="noopener noreferrer" {attributes}>{icon}</a>'
    return f"<span {attributes}>{icon}</span>"


class RowRenderer:
    """Renders rows with the URLs reversed once."""

    def __init__(self) -> None:
        self.account_url = _url_format("account-detail")
        self.diagnostics_url = _url_format("monitoring:diagnostics")
        # Diagnostics off (Settings): the button says so, and still opens the page that explains it.
        on = console_setting("MONITORING_DIAGNOSTICS_ENABLED")
        off = 'class="button diag off" href="{}" title="Diagnostics are off (Settings)" data-diag-off'
        self.diag = '<a class="button diag" href="{}">diag</a>' if on else f"<a {off}>diag off</a>"

    def __call__(self, row: UserRow) -> str:
        state = row.state
        calls = str(row.calls) if row.calls else ""
        hover = f"{state.value}: {state.label}" + (
            f", {row.calls} call{'s' if row.calls != 1 else ''}" if calls else ""
        )
        inactive = ' <span class="muted">inactive</span>' if not row.active else ""
        terminals = "".join(_terminal_html(terminal) for terminal in row.slots())
        return (
            f'<tr data-account="{row.account_id}" data-sig="{row.signature}" data-key="{escape(row.sort_key)}" '
            f'data-state="{state.value}"{"" if row.active else " class=inactive"}>'
            f'<td><span class="sticker sticker-{state.value}" title="{hover}">{calls}</span></td>'
            f"<td>{escape(row.department)}</td><td>{escape(row.first_name)}</td><td>{escape(row.last_name)}</td>"
            f"<td>{escape(row.extension)}</td>"
            f'<td><a href="{self.account_url.format(row.account_id)}">{escape(row.username)}</a>{inactive}</td>'
            f'<td><div class="terminals">{terminals}</div></td>'
            f"<td>{self.diag.format(self.diagnostics_url.format(row.account_id))}</td></tr>\n"
        )


def rows_html(rows: list[UserRow]) -> SafeString:
    render = RowRenderer()
    return mark_safe("".join(render(row) for row in rows))  # noqa: S308 - every value escaped above
