"""The audit log's hash chain: sealing happens in the database, checking happens here.

Each committed audit row holds its chain position `seq` (1, 2, 3 ... in commit order), the hash of
the item before it and its own hash = sha256(prev_hash || canonical content). The database does
the sealing (migration 0003), so no code path can forget it. `chain_verify` recomputes every hash
with its own copy of the canonical form and walks the positions: an edited row fails its hash, a
removed row leaves a hole in the positions, a reordered row no longer follows its predecessor, a
removed tail no longer reaches the head row.

A filtered delete of audit rows (the only sanctioned removal) first records, per run of
consecutive positions it removes, a gap row with the hashes on both sides and a digest of the
removed hashes; the database refuses to delete a row no gap of the running job named by the
session covers (migration 0006). The deletion's own audit record (action D, written after the
deletion) carries the digest of all its gaps and a seal: an HMAC with a key derived from
SECRET_KEY, which the database login does not hold. Verification trusts no gap row: each gap must
be proven by its job's sealed D record, or, when a later deletion removed that record, by the
sealed copy of it the later deletion's gaps kept (the `anchors`), and so on back.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac

from voipadmin.models import DeletionJob

from ..models import AuditAction, AuditChainGap, AuditChainHead, AuditRecord

ZERO_HASH = "0" * 64
TABLE = AuditRecord._meta.db_table

# The canonical content, as `verify` recomputes it (the database's copy is audit_record_hash()).
CANONICAL_HASH_SQL = """encode(sha256(convert_to(r.prev_hash || jsonb_build_array(
    r.id, r.seq, (extract(epoch FROM r.time) * 1000000)::bigint, r.actor_kind, r.actor_id, r.actor_sub_id,
    r.actor_name, r.action, r.resource_table, r.resource_id, r.statement, r.ip, r.correlation_id, r.details
  )::text, 'UTF8')), 'hex')"""


def chain_supported() -> bool:
    return connection.vendor == "postgresql"


# -- the sanctioned deletion


def gaps_for_batch(job: DeletionJob, keys: list) -> None:
    """Before a batch of audit rows goes: allow it, and record the gaps it leaves in the chain.

    Called inside the batch's transaction by the report machine (Report.before_delete_batch).
    The rows are locked first, so two deletions of the same rows cannot both record a gap.
    """
    if not chain_supported():
        return
    with connection.cursor() as cursor:
        # The database lets only the running job named here open gaps and remove rows inside them.
        cursor.execute("SELECT set_config('voipadmin.audit_delete', %s, true)", [str(job.pk)])
        cursor.execute(
            f"""
            INSERT INTO {AuditChainGap._meta.db_table}
                (job_id, first_seq, last_seq, rows, prev_hash, last_hash, digest, anchors, created_at)
            SELECT %s, min(seq), max(seq), count(*),
                   (array_agg(prev_hash ORDER BY seq))[1],
                   (array_agg(hash ORDER BY seq DESC))[1],
                   encode(sha256(convert_to(string_agg(hash, '' ORDER BY seq), 'UTF8')), 'hex'),
                   coalesce(
                       jsonb_agg(jsonb_build_object('job', (details ->> 'job')::bigint, 'chain', details -> 'chain')
                                 ORDER BY seq) FILTER (WHERE is_anchor),
                       '[]'::jsonb
                   ),
                   now()
            FROM (
                SELECT seq, prev_hash, hash,
                       action = 'D' AND resource_table = %s AND details ? 'chain' AS is_anchor,
                       details,
                       seq - row_number() OVER (ORDER BY seq) AS island
                FROM (SELECT * FROM {TABLE} WHERE id = ANY(%s) AND seq IS NOT NULL FOR UPDATE) locked
            ) numbered
            GROUP BY island
            """,
            [job.pk, TABLE, list(keys)],
        )


def _gaps_digest(gaps) -> str:
    text = ",".join(f"{g.first_seq}:{g.last_seq}:{g.prev_hash}:{g.last_hash}:{g.digest}" for g in gaps)
    return hashlib.sha256(text.encode()).hexdigest()


def _gaps_anchors(gaps) -> list:
    """The D records of earlier deletions these gaps removed, as those records said them."""
    return [anchor for gap in gaps for anchor in (gap.anchors or [])]


def _seal_message(job_id: int, chain: dict) -> str:
    unsealed = {name: value for name, value in chain.items() if name != "seal"}
    return json.dumps({"job": job_id, "chain": unsealed}, sort_keys=True, separators=(",", ":"))


def chain_seal(job_id: int, chain: dict, secret: str | None = None) -> str:
    """HMAC-SHA256 of a deletion's chain summary, keyed from SECRET_KEY (or the given secret)."""
    return salted_hmac(
        "voipadmin.audit.chain", _seal_message(job_id, chain), secret=secret, algorithm="sha256"
    ).hexdigest()


def seal_valid(job_id, chain) -> bool:
    """The seal was made by this console (SECRET_KEY, or one of SECRET_KEY_FALLBACKS)."""
    if not isinstance(chain, dict) or not isinstance(job_id, int) or not isinstance(chain.get("seal"), str):
        return False
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(chain["seal"], chain_seal(job_id, chain, secret)) for secret in secrets)


def deletion_anchor(job: DeletionJob) -> dict:
    """What the deletion's audit record says about the chain (Report.delete_details), sealed."""
    gaps = list(AuditChainGap.objects.filter(job=job).order_by("first_seq"))
    chain = {
        "gaps": len(gaps),
        "rows": sum(gap.rows for gap in gaps),
        "digest": _gaps_digest(gaps),
        "anchors": _gaps_anchors(gaps),
    }
    chain["seal"] = chain_seal(job.pk, chain)
    return {"chain": chain}


# -- verification


@dataclass(frozen=True)
class Finding:
    seq: int | None
    record_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row id {self.record_id}" if self.record_id is not None else "chain"
        if self.seq is not None:
            where += f" (position {self.seq})"
        return f"{where}: {self.problem}"


@dataclass
class ChainReport:
    rows: int = 0
    gaps: int = 0
    removed_rows: int = 0
    head_seq: int = 0
    head_hash: str = ZERO_HASH
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _rows() -> Iterator[tuple]:
    """(id, seq, prev_hash, hash, recomputed hash) in chain order, streamed."""
    sql = (
        f"SELECT r.id, r.seq, r.prev_hash, r.hash, {CANONICAL_HASH_SQL} "
        f"FROM {TABLE} r WHERE r.seq IS NOT NULL ORDER BY r.seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(2000):
            yield from batch


def _items() -> Iterator[tuple]:
    """Rows and gaps merged in chain order: (kind, first, last, prev_hash, end_hash, row id, recomputed)."""
    gaps = list(
        AuditChainGap.objects.order_by("first_seq").values_list("first_seq", "last_seq", "prev_hash", "last_hash")
    )
    index = 0
    for record_id, seq, prev_hash, stored, recomputed in _rows():
        while index < len(gaps) and gaps[index][0] < seq:
            first, last, prev, end = gaps[index]
            yield ("gap", first, last, prev, end, None, None)
            index += 1
        yield ("row", seq, seq, prev_hash, stored, record_id, recomputed)
    for first, last, prev, end in gaps[index:]:
        yield ("gap", first, last, prev, end, None, None)


def chain_verify() -> ChainReport:
    """Walk the whole chain; every problem is a Finding naming the row (or position) concerned."""
    if not chain_supported():
        raise RuntimeError("the audit hash chain lives in PostgreSQL; this database is " + connection.vendor)
    report = ChainReport()
    expected_seq, expected_prev = 1, ZERO_HASH
    for kind, first, last, prev, end, record_id, recomputed in _items():
        if first > expected_seq:
            report.findings.append(
                Finding(first, record_id, f"positions {expected_seq}..{first - 1} are missing: rows were removed")
            )
        elif first < expected_seq:
            report.findings.append(Finding(first, record_id, "position used twice: rows were reordered or copied"))
        if prev != expected_prev:
            report.findings.append(
                Finding(first, record_id, "does not follow the item before it: rows were removed or reordered")
            )
        if kind == "row":
            report.rows += 1
            if recomputed != end:
                report.findings.append(Finding(first, record_id, "content does not match its hash: the row was edited"))
        else:
            report.gaps += 1
            report.removed_rows += last - first + 1
        expected_seq, expected_prev = last + 1, end
    _check_head(report, expected_seq - 1, expected_prev)
    _check_unsealed(report)
    _check_anchors(report)
    return report


def _check_head(report: ChainReport, last_seq: int, last_hash: str) -> None:
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    report.head_seq, report.head_hash = head if head else (0, ZERO_HASH)
    if head is None and last_seq == 0:
        return
    if head is None:
        report.findings.append(Finding(None, None, "the chain head row is missing"))
    elif head != (last_seq, last_hash):
        report.findings.append(
            Finding(
                head[0],
                None,
                f"the chain ends at position {last_seq} but the head says {head[0]}: the newest rows were removed",
            )
        )


def _check_unsealed(report: ChainReport) -> None:
    for record_id in AuditRecord.objects.filter(seq__isnull=True).values_list("pk", flat=True)[:100]:
        report.findings.append(Finding(None, record_id, "is not in the chain: it was written with the triggers off"))


def _proven_deletions(report: ChainReport) -> dict[int, dict]:
    """job id -> the chain summary its sealed D record gives: from the D records in the chain, then
    from the sealed copies of removed D records those summaries carry, and so on back."""
    pending: list[tuple] = [
        (seq, record_id, details.get("job"), details["chain"])
        for seq, record_id, details in AuditRecord.objects.filter(
            action=AuditAction.DELETE, resource_table=TABLE, details__has_key="chain"
        ).values_list("seq", "pk", "details")
    ]
    proven: dict[int, dict] = {}
    while pending:
        seq, record_id, job, chain = pending.pop()
        if not seal_valid(job, chain):
            report.findings.append(
                Finding(seq, record_id, f"the D record of deletion job {job} is not sealed by this console: forged")
            )
            continue
        if job in proven:
            continue
        proven[job] = chain
        for anchor in chain.get("anchors") or ():
            if isinstance(anchor, dict):
                pending.append((None, None, anchor.get("job"), anchor.get("chain")))
    return proven


def _check_anchors(report: ChainReport) -> None:
    """Each gap must be proven by its job's sealed D record (or a sealed copy of it kept by the
    later deletion that removed it); the gap rows themselves prove nothing."""
    jobs = sorted(set(AuditChainGap.objects.values_list("job_id", flat=True)))
    proven = _proven_deletions(report)
    if not jobs:
        return
    states = dict(DeletionJob.objects.filter(pk__in=jobs).values_list("pk", "state"))
    in_chain = {
        details.get("job")
        for details in AuditRecord.objects.filter(
            action=AuditAction.DELETE, resource_table=TABLE, details__has_key="chain"
        ).values_list("details", flat=True)
    }
    for job in jobs:
        gaps = list(AuditChainGap.objects.filter(job_id=job).order_by("first_seq"))
        chain = proven.get(job)
        if chain is None:
            if states.get(job) in (DeletionJob.State.PENDING, DeletionJob.State.RUNNING):
                problem = f"gap of deletion job {job} is not proven yet: the job is still running (verify again after)"
            else:
                problem = f"gap of deletion job {job} is not announced by any D record sealed by this console"
            report.findings.append(Finding(gaps[0].first_seq, None, problem))
        elif chain.get("digest") != _gaps_digest(gaps) or (chain.get("anchors") or []) != _gaps_anchors(gaps):
            report.findings.append(
                Finding(gaps[0].first_seq, None, f"the gaps of deletion job {job} differ from what its D record says")
            )
        elif job not in in_chain:
            report.notes.append(f"deletion job {job}: its D record was itself removed by a later filtered delete")
