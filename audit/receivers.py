"""Console authentication events become web access rows (the admin's login included)."""

from django.contrib.auth import signals
from django.dispatch import receiver

from .models import WebAccess
from .services import web_access_record


@receiver(signals.user_logged_in, dispatch_uid="audit.web_access.login")
def on_login(sender, request, user, **kwargs) -> None:
    web_access_record(
        request=request,
        outcome=WebAccess.Outcome.LOGIN,
        principal=user.get_username(),
        user=user,
        entered_login=user.get_username(),
    )


@receiver(signals.user_login_failed, dispatch_uid="audit.web_access.failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the login is kept.
    entered = str(credentials.get("username", ""))
    web_access_record(
        request=request,
        outcome=WebAccess.Outcome.LOGIN_FAILED,
        principal=entered,
        entered_login=entered,
        reason="wrong login or password",
    )


@receiver(signals.user_logged_out, dispatch_uid="audit.web_access.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    web_access_record(
        request=request, outcome=WebAccess.Outcome.LOGOUT, principal=user.get_username(), user=user, entered_login=""
    )
