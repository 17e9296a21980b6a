"""What a page says about where it was read: a fallback notice for all, the replica's lag for admins."""

from django.http import HttpRequest

from .state import DOWN, replica_configured, replica_lag_bytes


def is_admin(user) -> bool:
    return user.is_superuser or user.is_staff or user.groups.filter(name="Admins").exists()


def read_source_context(request: HttpRequest) -> dict:
    source = getattr(request, "read_source", None)
    if source is None or not replica_configured():
        return {}
    context = {"read_source": source, "read_fell_back": source.state == DOWN}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_admin(user):
        context["replica_lag"] = {
            "state": source.state,
            "seconds": source.lag_seconds,
            "bytes": replica_lag_bytes(source.replay_lsn),
        }
    return context
