"""Filtered delete: a person confirms a selection; a worker removes it in short batches.

Each batch is its own transaction, so a concurrent ingester never waits on more than one batch.
The job is claimed with SELECT ... FOR UPDATE SKIP LOCKED under the job's advisory lock
(deletion_liveness.py), so two workers given the same job do not both run it; a job whose worker
died is taken over by the next worker given it, and given it again by the beat sweeper.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.fields import AutoFieldMixin
from django.http import QueryDict
from django.utils import timezone

from voipadmin.bulk import delete_in_batches
from voipadmin.models import DeletionJob
from voipadmin.partitions import can_delete_by_key, delete_by_key, key_fields
from voipadmin.replica.state import reader_pin
from voipadmin.request_context import RequestContext

from .counting import bounded_count
from .definition import Report, get_report
from .deletion_batches import delete_by_partition
from .deletion_liveness import job_lock, stale_before
from .filters import FilterError, Selection, select

logger = logging.getLogger(__name__)


def deletion_selection(report: Report, params: QueryDict) -> Selection:
    """The selection a delete would take; refuses a query with no filter at all."""
    if not report.can_delete:
        raise FilterError({"delete": [f"rows of {report.title} cannot be deleted from the console."]})
    selection = select(report, params)
    if not selection.active_filters():
        raise FilterError({"delete": ["set at least one filter: a filtered delete never takes the whole table."]})
    return selection


def deletable_queryset(report: Report, queryset):
    """The rows of a selection the report's rules let go (a running conference stays, ...)."""
    return report.deletable(queryset) if report.deletable else queryset


def deletion_preview(report: Report, selection: Selection) -> dict:
    """What the confirmation page shows: rows that will go and selected rows the rules keep."""
    limit = settings.REPORT_EXACT_COUNT_LIMIT
    selected, selected_exact = bounded_count(selection.queryset, limit)
    going, going_exact = bounded_count(deletable_queryset(report, selection.queryset), limit)
    return {
        "selected": selected,
        "selected_exact": selected_exact,
        "deletable": going,
        "deletable_exact": going_exact,
        "protected": selected - going if selected_exact and going_exact else None,
        "limit": limit,
    }


def newest_pk(model) -> int | None:
    """The highest id of a table with serial ids (one index read), None for other keys: the rows a
    person confirmed are those that existed then, not what arrives while the worker deletes."""
    if not isinstance(model._meta.pk, AutoFieldMixin):
        return None
    return model._base_manager.order_by("-pk").values_list("pk", flat=True).first()


def deletion_job_create(
    *, report: Report, selection: Selection, expected: int | None, context: RequestContext
) -> DeletionJob:
    job = DeletionJob.objects.create(
        upto_pk=newest_pk(report.model),
        report=report.slug,
        query=selection.filter_query(),
        description=selection.describe(),
        requested_by=context.user,
        requested_ip=context.ip,
        expected=expected,
    )
    from voipadmin.tasks import run_deletion

    transaction.on_commit(lambda: run_deletion.delay(job.pk))
    return job


class WorkerLost(Exception):
    """The job was taken up more often than DELETION_MAX_ATTEMPTS: its workers keep dying."""


def _claim(job_id: int) -> DeletionJob | None:
    """Take the job: a pending one, or a running one whose worker is gone (the caller holds the
    job's lock; without PostgreSQL, a heartbeat older than DELETION_STALE_SECONDS says so)."""
    running = Q(state=DeletionJob.State.RUNNING)
    if connection.vendor != "postgresql":
        running &= Q(heartbeat_at__lt=stale_before())
    with transaction.atomic():
        job = (
            DeletionJob.objects.select_for_update(skip_locked=True)
            .filter(Q(state=DeletionJob.State.PENDING) | running)
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None
        job.state = DeletionJob.State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["state", "started_at", "heartbeat_at", "attempts"])
    return job


def deletion_job_run(*, job_id: int) -> DeletionJob | None:
    """Carry out a confirmed deletion, or resume one whose worker was lost (the rows already gone
    stay gone; the selection is the same query, so the rest follows). Returns None when a live
    worker has it or it is finished."""
    with job_lock(job_id) as free:
        if not free:
            return None
        job = _claim(job_id)
        if job is None:
            return None
        return _run(job)


def _run(job: DeletionJob) -> DeletionJob:
    report = get_report(job.report)
    try:
        if job.attempts > settings.DELETION_MAX_ATTEMPTS:
            raise WorkerLost(
                f"given up after {job.attempts - 1} attempts: the worker running this deletion was lost each time"
                f" (killed, or out of memory); {job.deleted} rows had been deleted, the rest of the selection stays."
            )
        selection = deletion_selection(report, QueryDict(job.query))
        selected = selection.queryset
        if job.upto_pk is not None:
            selected = selected.filter(pk__lte=job.upto_pk)
        queryset = deletable_queryset(report, selected)
        model = report.model
        batch_size = settings.REPORT_DELETE_BATCH
        cascaded: dict[str, int] = dict(job.cascaded)
        hooks = report.before_delete_batch is not None or report.on_delete_batch is not None

        def deleted(keys: list) -> None:
            """Every batch ends here, inside its transaction, with the ids of the rows it removed
            (or (id, partition key) pairs, by key): the job's progress and heartbeat."""
            DeletionJob.objects.filter(pk=job.pk).update(
                deleted=F("deleted") + len(keys), cascaded=cascaded, heartbeat_at=timezone.now()
            )

        if can_delete_by_key(model) and not hooks:
            delete_by_partition(queryset, batch_size, deleted)
        else:
            _delete_by_keys(report, job, queryset, batch_size, cascaded, deleted)
        job.refresh_from_db()
        # What the rules kept: with no rule, nothing (and no count over the rows just deleted,
        # dead until vacuumed, to tell so).
        job.protected = 0
        if report.deletable is not None:
            job.protected, _ = bounded_count(selected, settings.REPORT_EXACT_COUNT_LIMIT)
        job.cascaded = cascaded
        job.state = DeletionJob.State.DONE
        job.finished_at = timezone.now()
        with transaction.atomic():
            job.save(update_fields=["protected", "cascaded", "state", "finished_at"])
            _record(report, job)
        # The person who confirmed it reads the primary until the replica has replayed the delete.
        reader_pin(user_id=job.requested_by_id)
    except Exception as error:
        logger.exception("deletion job %s failed", job.pk)
        job.refresh_from_db()
        job.state = DeletionJob.State.FAILED
        job.error = str(error)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        _record(report, job)
        reader_pin(user_id=job.requested_by_id)
        raise
    return job


def _delete_by_keys(
    report: Report, job: DeletionJob, queryset, batch_size: int, cascaded: dict[str, int], deleted
) -> None:
    """The selection's keys read batch by batch, handed to the report's hooks, then deleted by key
    (a month-partitioned table by (id, month key): each row probes one month)."""
    model = report.model
    by_key = can_delete_by_key(model)

    def delete(rows: list[tuple]) -> None:
        keys = [row[0] for row in rows]
        if report.before_delete_batch is not None:
            report.before_delete_batch(job, keys)
        if report.on_delete_batch is not None:
            for kind, count in report.on_delete_batch(keys).items():
                cascaded[kind] = cascaded.get(kind, 0) + count
        if by_key:
            delete_by_key(model, rows)
        else:
            model._base_manager.filter(pk__in=keys).delete()
        deleted(rows)

    delete_in_batches(queryset, key_fields(model) if by_key else ["pk"], batch_size, delete)


def _record(report: Report, job: DeletionJob) -> None:
    """One audit record and one server event per deletion, with the filter and the count."""
    from audit.services import audit_record, server_event
    from voipadmin.request_context import Actor, RequestContext, actor_for_user, bound

    actor = (
        actor_for_user(job.requested_by, ip=job.requested_ip) if job.requested_by else Actor("u", 0, 0, "deleted user")
    )
    context = RequestContext(
        ip=job.requested_ip, correlation_id=f"deletion-{job.pk}", actor=actor, user=job.requested_by
    )
    details = {
        "report": report.slug,
        "filter": job.description,
        "deleted": job.deleted,
        "protected": job.protected,
        "cascaded": job.cascaded,
        "state": job.state,
        "job": job.pk,
    }
    if report.delete_details is not None:
        details.update(report.delete_details(job))
    with bound(context):
        audit_record(action="D", table=report.model._meta.db_table, key={"filter": job.query or "-"}, details=details)
        server_event(
            event_type=report.delete_event,
            deleted_count=job.deleted,
            description=f"{report.title}: {job.description}",
            details={"filter": job.query, "protected": job.protected, "cascaded": job.cascaded, "state": job.state},
        )
        for kind, count in job.cascaded.items():
            server_event(
                event_type=kind, deleted_count=count, description=f"removed with {report.title}: {job.description}"
            )
