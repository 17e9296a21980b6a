from rest_framework.permissions import BasePermission


class CanViewReport(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm(view.report.view_permission))


class CanIngest(BasePermission):
    message = "This token may not push events (it needs the Ingest role)."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("voipadmin.ingest_events"))
