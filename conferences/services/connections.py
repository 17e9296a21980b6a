"""Connections to sessions (participant_joined / participant_left / session_ended), in time order.

A join opens a connection, a leave closes the newest open one of that participant on that
endpoint, a session's end closes whatever is still open. Either half may come first (batches are
cut anywhere): a leave with no open connection is kept and a later join completes it; a join that
comes after its session's end is closed at that end; a leave that comes after the end closed its
connection moves the close back to the leave. A guest coming back on the same application under
another name is a display-name change, recomputed from all the joins whenever one arrives.
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
        for row in sorted(loaded, key=lambda row: row.joined_at or row.left_at):
            self.rows[row.session_id].append(row)
        self.new: list[Participation] = []
        self.changed: dict[int, Participation] = {}
        self.renamed: set[tuple[str, str]] = set()  # (session, identity) whose joins this batch changed
        self.statuses: list[dict] = []

    def apply(self, item: dict) -> None:
        """One join or leave; a session's end is applied by `close_ended` once the batch is in."""
        session = self.sessions[item["session_id"]]
        if item["type"] == Type.PARTICIPANT_JOINED:
            self._join(item, session)
        elif item["type"] == Type.PARTICIPANT_LEFT:
            self._leave(item, session)

    def close_ended(self) -> None:
        """Close what is still open in an ended session at its end, whichever batch brought the join."""
        for key, rows in self.rows.items():
            session = self.sessions[key]
            if session.ended_at is None:
                continue
            for row in rows:
                if row.left_at is None and row.joined_at is not None and row.joined_at <= session.ended_at:
                    self._close(row, session.ended_at, session)

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
        self.renamed.add((session.pk, row.identity))
        self._status(row, at, session, joined=True)

    def _leave(self, item: dict, session: ConferenceSession) -> None:
        at = item["timestamp"]
        candidates = [
            row
            for row in self._mine(item, session)
            if row.left_at is None and (row.joined_at is None or row.joined_at <= at)
        ]
        if not candidates:
            ended = self._closed_by_end(item, session)
            if ended is not None:  # the user status went back at the end already: no second event
                ended.left_at, ended.leave_event_id = at, item["event_id"]
                ended.media = item.get("media") or ended.media
                self.changed[id(ended)] = ended
                return
        row = max(candidates, key=lambda row: row.joined_at or at) if candidates else self._open(item, session)
        row.leave_event_id = item["event_id"]
        row.media = item.get("media") or row.media
        self._close(row, at, session)

    def _closed_by_end(self, item: dict, session: ConferenceSession) -> Participation | None:
        """The connection this late leave belongs to, if the session's end closed it (no leave event)."""
        at = item["timestamp"]
        closed = [
            row
            for row in self._mine(item, session)
            if not row.leave_event_id
            and row.joined_at is not None
            and row.left_at is not None
            and row.joined_at <= at < row.left_at
        ]
        return max(closed, key=lambda row: row.joined_at) if closed else None

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
        self._save_renames()
        for fields in self.statuses:
            server_event(event_type="status", **fields)

    def _save_renames(self) -> None:
        """Each touched participant's name changes, rebuilt from all their joins in time order."""
        if not self.renamed:
            return
        rows = [
            row
            for session_pk, identity_key in self.renamed
            for row in self.rows[session_pk]
            if row.identity == identity_key and row.joined_at is not None
        ]
        DisplayNameChange.objects.filter(participation__in=[row.pk for row in rows if row.pk]).delete()
        previous: dict[tuple[str, str], str] = {}
        renames = []
        for row in sorted(rows, key=lambda row: row.joined_at):
            key = (row.session_id, row.identity)
            before = previous.get(key)
            if before and row.display_name and before != row.display_name:
                renames.append(
                    DisplayNameChange(
                        session_id=row.session_id,
                        participation=row,
                        old_name=before,
                        new_name=row.display_name,
                        time=row.joined_at,
                    )
                )
            previous[key] = row.display_name
        DisplayNameChange.objects.bulk_create(renames)


def connections_apply(
    fresh: list[dict], sessions: dict[str, ConferenceSession], endpoints: dict[str, Endpoint]
) -> None:
    events = [item for item in fresh if item["type"] in TYPES]
    if not events:
        return
    ledger = ConnectionLedger(events, sessions, endpoints)
    for item in events:
        ledger.apply(item)
    ledger.close_ended()
    ledger.save()
