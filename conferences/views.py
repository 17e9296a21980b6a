"""Pages beside the reports: playing and downloading stored media, deleting it, endpoint clean-up."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from voipadmin.console_settings import console_setting
from voipadmin.ranged import ranged_file_response
from voipadmin.reports.counting import bounded_count

from .forms import EndpointCleanupForm
from .models import Recording, SharedFile, StoredMedia
from .services.cleanup import endpoints_delete_older_than, endpoints_older_than
from .services.media import recording_delete, shared_file_delete


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _serve(request: HttpRequest, row: StoredMedia, *, as_attachment: bool) -> HttpResponse:
    """The stored bytes, found by the row's server-chosen name (never a path from the request)."""
    if not row.file.name or not default_storage.exists(row.file.name):
        raise Http404("The file of this row is missing from storage.")
    return ranged_file_response(
        request,
        storage=default_storage,
        name=row.file.name,
        size=row.size,
        content_type=row.content_type or "application/octet-stream",
        filename=row.original_name,
        as_attachment=as_attachment,
    )


@require_http_methods(["GET", "HEAD"])
def recording_media(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "conferences.view_recording")
    return _serve(request, get_object_or_404(Recording, pk=pk), as_attachment=False)


@require_http_methods(["GET", "HEAD"])
def recording_download(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "conferences.view_recording")
    return _serve(request, get_object_or_404(Recording, pk=pk), as_attachment=True)


@require_http_methods(["GET", "HEAD", "POST"])
def recording_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: a page naming the recording and its session (the list's Delete link); POST: delete it."""
    _require(request, "conferences.delete_recording")
    if request.method != "POST":
        row = get_object_or_404(Recording.objects.select_related("session"), pk=pk)
        return render(request, "conferences/recording_delete.html", {"row": row})
    if not recording_delete(recording_id=pk):
        raise Http404
    messages.info(request, "The recording was deleted.")
    return redirect("recordings:list")


@require_http_methods(["GET", "HEAD"])
def shared_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "conferences.view_sharedfile")
    # Whatever its type, a shared file is only ever an attachment: nothing uploaded runs in the console.
    return _serve(request, get_object_or_404(SharedFile, pk=pk), as_attachment=True)


@require_POST
def shared_file_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "conferences.delete_sharedfile")
    row = shared_file_delete(file_id=pk)
    if row is None:
        raise Http404
    messages.info(request, f"The file {row.original_name} was deleted from the server.")
    return redirect("conferences:detail", row.session_id)


def endpoints_cleanup(request: HttpRequest) -> HttpResponse:
    """Delete endpoints not seen for N days (ENDPOINT_RETENTION_DAYS, 180 by default), after showing how many."""
    _require(request, "conferences.delete_endpoint")
    form = EndpointCleanupForm(request.POST or request.GET or {"days": console_setting("ENDPOINT_RETENTION_DAYS")})
    context = {"form": form, "limit": settings.REPORT_EXACT_COUNT_LIMIT}
    if form.is_valid():
        days = form.cleaned_data["days"]
        if request.method == "POST":
            removed = endpoints_delete_older_than(days=days)
            messages.info(request, f"{removed} endpoint{'s' if removed != 1 else ''} not seen for {days} days deleted.")
            return redirect("endpoints:list")
        count, exact = bounded_count(endpoints_older_than(days=days), settings.REPORT_EXACT_COUNT_LIMIT)
        context.update(days=days, count=count, exact=exact)
    return render(request, "conferences/endpoint_cleanup.html", context, status=400 if form.errors else 200)
