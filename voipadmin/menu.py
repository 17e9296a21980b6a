"""The main menu: every registered report, plus pages apps add; only what the viewer may open."""

from dataclasses import dataclass

from django.http import HttpRequest

from .reports.definition import all_reports
from .reports.links import page_url


@dataclass(frozen=True)
class MenuEntry:
    title: str
    url_name: str
    group: str
    order: int
    permission: str | None = None


_pages: list[MenuEntry] = []


def register_page(entry: MenuEntry) -> None:
    if entry not in _pages:
        _pages.append(entry)


GROUP_ORDER = ["Overview", "SIP", "Calls", "Conferences", "Console", "Logs"]


def menu_for(user) -> list[tuple[str, list[dict]]]:
    entries = [
        MenuEntry(report.title, report.url_name("list"), report.menu_group, report.menu_order, report.view_permission)
        for report in all_reports()
    ] + _pages
    groups: dict[str, list[dict]] = {}
    for entry in sorted(entries, key=lambda e: (e.order, e.title)):
        if entry.permission and not user.has_perm(entry.permission):
            continue
        groups.setdefault(entry.group, []).append({"title": entry.title, "url": page_url(entry.url_name)})
    rank = {name: position for position, name in enumerate(GROUP_ORDER)}
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def menu_context(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_for(user)}
