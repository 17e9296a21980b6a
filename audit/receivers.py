"""Console authentication becomes a web access row, an audit record and a server event each.

Logins (AUTH_OK), failed and refused logins (AUTH_FAIL) and logouts, from the console's login
page and the admin's alike: both go through django.contrib.auth's signals.
"""

from django.contrib.auth import signals
from django.dispatch import receiver

from voipadmin.request_context import Actor, actor_for_user, current

from .auth import LOCK_ATTRIBUTE, lock_message
from .models import AuditAction, ServerEvent, WebAccess
from .services import admin_type_of, audit_record, auth_statement, server_event, web_access_record


def _application(request) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else "web console"


@receiver(signals.user_logged_in, dispatch_uid="audit.web_access.login")
def on_login(sender, request, user, **kwargs) -> None:
    username = user.get_username()
    web_access_record(
        request=request, outcome=WebAccess.Outcome.LOGIN, principal=username, user=user, entered_login=username
    )
    audit_record(
        action=AuditAction.AUTH_OK,
        table=user._meta.db_table,
        key={"id": user.pk},
        statement=auth_statement(login=username),
        details={"application": _application(request)},
        actor=actor_for_user(user, ip=current().ip),
    )
    server_event(
        event_type=ServerEvent.EventType.LOGIN,
        username=username,
        entered_login=username,
        real_user_id=username,
        display_name=user.get_full_name()[:255],
        application=_application(request),
        auth_method="password",
        admin_type=admin_type_of(user),
    )


@receiver(signals.user_login_failed, dispatch_uid="audit.web_access.failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the login is kept.
    entered = str(credentials.get("username", ""))[:150]
    claim = getattr(request, LOCK_ATTRIBUTE, None) if request is not None else None
    locked = claim is not None and claim.refused
    reason = lock_message(claim) if locked else "wrong login or password"
    web_access_record(
        request=request,
        outcome=WebAccess.Outcome.LOCKED if locked else WebAccess.Outcome.LOGIN_FAILED,
        principal=entered,
        entered_login=entered,
        reason="account locked" if locked else reason,
    )
    audit_record(
        action=AuditAction.AUTH_FAIL,
        statement=auth_statement(login=entered),
        details={
            "reason": "account locked" if locked else "wrong login or password",
            "application": _application(request),
        },
        actor=Actor("u", 0, 0, entered or "anonymous"),
    )
    server_event(
        event_type=ServerEvent.EventType.LOGIN,
        success=False,
        username=entered,
        entered_login=entered,
        application=_application(request),
        auth_method="password",
        description=reason,
    )


@receiver(signals.user_logged_out, dispatch_uid="audit.web_access.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    web_access_record(
        request=request, outcome=WebAccess.Outcome.LOGOUT, principal=user.get_username(), user=user, entered_login=""
    )
    server_event(
        event_type=ServerEvent.EventType.LOGOUT,
        username=user.get_username(),
        real_user_id=user.get_username(),
        application=_application(request),
        admin_type=admin_type_of(user),
    )
