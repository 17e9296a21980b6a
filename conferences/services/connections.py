"""Connections to sessions (participant_joined / participant_left / session_ended), in time order.

A join opens a connection, a leave closes the newest open one of that participant on that
endpoint, a session's end closes whatever is still open. Either half may come first (batches are
cut anywhere): a leave with no open connection is kept and a later join completes it. A guest
coming back on the same application under another name is a display-name change.
"""

import datetime
from collections import defaultdict

from django.db.models import Q

from ..models import ConferenceEvent, ConferenceSession, DisplayNameChange, Endpoint, Participation

Type = ConferenceEvent.Type
TYPES = (Type.PARTICIPANT_JOINED, Type.PARTICIPANT_LEFT, Type.SESSION_ENDED)
ONLINE, BUSY, OWNER = 1, 2, 5  # the server event log's user statuses (seed 001)


def identity(item: dict) -> str:
    """Who a connection is, for counting: a guest once per application, a user once."""
    return f"guest:{item['endpoint_id']}" if item["guest"] else item["participant"]


class ConnectionLedger:
    """The connections of a batch's sessions, changed in memory and written back in bulk."""

    def __init__(self, events: list[dict], sessions: dict[str, ConferenceSession], endpoints: dict[str, Endpoint]):
        self.sessions, self.endpoints = sessions, endpoints
        people = {identity(item) for item in events if item["type"] != Type.SESSION_ENDED}
        # The sessions are locked already, so their connections cannot change under this batch.
        loaded = (
            Participation.objects.select_related("endpoint")
            .filter(session_id__in={item["session_id"] for item in events})
            .filter(Q(left_at__isnull=True) | Q(joined_at__isnull=True) | Q(identity__in=people))
        )
        self.rows: dict[str, list[Participation]] = defaultdict(list)
        self.last_name: dict[tuple[str, str], tuple[datetime.datetime, str]] = {}
        for row in sorted(loaded, key=lambda row: row.joined_at or row.left_at):
            self.rows[row.session_id].append(row)
            if row.joined_at is not None:
                self.last_name[(row.session_id, row.identity)] = (row.joined_at, row.display_name)
        self.new: list[Participation] = []
        self.changed: dict[int, Participation] = {}
        self.renames: list[DisplayNameChange] = []
        self.statuses: list[dict] = []

    def apply(self, item: dict) -> None:
        session = self.sessions[item["session_id"]]
        if item["type"] == Type.SESSION_ENDED:
            for row in self.rows[session.pk]:
                if row.left_at is None and (row.joined_at is None or row.joined_at <= item["timestamp"]):
                    self._close(row, item["timestamp"], session)
        elif item["type"] == Type.PARTICIPANT_JOINED:
            self._join(item, session)
        else:
            self._leave(item, session)

    def _mine(self, item: dict, session: ConferenceSession) -> list[Participation]:
        key = (item["participant"], item["endpoint_id"])
        return [row for row in self.rows[session.pk] if (row.participant, row.endpoint_ref) == key]

    def _open(self, item: dict, session: ConferenceSession) -> Participation:
        row = Participation(
            session=session,
            participant=item["participant"],
            display_name=item.get("display_name") or "",
            guest=item["guest"],
            identity=identity(item),
            endpoint=self.endpoints.get(item["endpoint_id"]),
            endpoint_ref=item["endpoint_id"],
        )
        self.new.append(row)
        self.rows[session.pk].append(row)
        return row

    def _join(self, item: dict, session: ConferenceSession) -> None:
        at = item["timestamp"]
        waiting = [row for row in self._mine(item, session) if row.joined_at is None and row.left_at >= at]
        row = min(waiting, key=lambda row: row.left_at) if waiting else self._open(item, session)
        row.joined_at, row.join_event_id = at, item["event_id"]
        row.display_name = item.get("display_name") or ""
        self.changed[id(row)] = row
        before = self.last_name.get((session.pk, row.identity))
        if before and before[1] and row.display_name and before[1] != row.display_name and before[0] <= at:
            self.renames.append(
                DisplayNameChange(
                    session=session, participation=row, old_name=before[1], new_name=row.display_name, time=at
                )
            )
        self.last_name[(session.pk, row.identity)] = (at, row.display_name)
        self._status(row, at, session, joined=True)

    def _leave(self, item: dict, session: ConferenceSession) -> None:
        at = item["timestamp"]
        candidates = [
            row
            for row in self._mine(item, session)
            if row.left_at is None and (row.joined_at is None or row.joined_at <= at)
        ]
        row = max(candidates, key=lambda row: row.joined_at or at) if candidates else self._open(item, session)
        row.leave_event_id = item["event_id"]
        row.media = item.get("media") or row.media
        self._close(row, at, session)

    def _close(self, row: Participation, at: datetime.datetime, session: ConferenceSession) -> None:
        row.left_at = at
        self.changed[id(row)] = row
        self._status(row, at, session, joined=False)

    def _status(self, row: Participation, at: datetime.datetime, session: ConferenceSession, *, joined: bool) -> None:
        """A user's status event: online -> busy (owner: 5) on joining, back to online on leaving."""
        if row.guest:
            return  # a guest has no account, hence no user status
        level = OWNER if row.participant == session.owner else BUSY
        endpoint = row.endpoint
        self.statuses.append(
            {
                "time": at,
                "username": row.participant,
                "real_user_id": row.participant,
                "display_name": row.display_name,
                "endpoint_id": row.endpoint_ref,
                "application": endpoint.application if endpoint else "",
                "ip": endpoint.ip if endpoint else None,
                "user_agent": "",
                "previous_status": ONLINE if joined else level,
                "new_status": level if joined else ONLINE,
                "description": f"{'joined' if joined else 'left'} conference session {session.session_id}",
            }
        )

    def save(self) -> None:
        from audit.services import server_event

        Participation.objects.bulk_create(self.new)
        created = {id(row) for row in self.new}
        Participation.objects.bulk_update(
            [row for key, row in self.changed.items() if key not in created],
            ["joined_at", "left_at", "display_name", "join_event_id", "leave_event_id", "media"],
        )
        DisplayNameChange.objects.bulk_create(self.renames)
        for fields in self.statuses:
            server_event(event_type="status", **fields)


def connections_apply(
    fresh: list[dict], sessions: dict[str, ConferenceSession], endpoints: dict[str, Endpoint]
) -> None:
    events = [item for item in fresh if item["type"] in TYPES]
    if not events:
        return
    ledger = ConnectionLedger(events, sessions, endpoints)
    for item in events:
        ledger.apply(item)
    ledger.save()
