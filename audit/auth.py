"""Authentication with lockout, shared by the console login and the admin login.

The lockout sits in the authentication backend (AUTHENTICATION_BACKENDS), the one place every
password check passes through, whichever form or view asks. A locked attempt raises
PermissionDenied (Django then stops, sends user_login_failed and the form fails); the login forms
below turn the lock into a message that says so.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied

from .services.capture import login_password_check
from .services.lockout import Claim, lockout_claim, lockout_failed, lockout_succeeded

LOCK_ATTRIBUTE = "login_lockout"


class AccountLocked(PermissionDenied):
    def __init__(self, claim: Claim):
        self.claim = claim
        super().__init__(f"login {claim.username!r} is locked")


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend, with every password check counted (audit/services/lockout.py)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        claim = lockout_claim(username=username)
        if request is not None:
            setattr(request, LOCK_ATTRIBUTE, claim)
        if claim.refused:
            raise AccountLocked(claim)
        with login_password_check():
            user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout_failed(claim=claim)
        else:
            lockout_succeeded(claim=claim)
        return user


def lock_message(claim: Claim) -> str:
    minutes = max(1, round(claim.retry_after() / 60))
    return (
        f"This login is locked after too many failed attempts. Try again in about {minutes} minute"
        f"{'s' if minutes != 1 else ''}, or ask an administrator to unlock it."
    )


class LockoutMessageMixin:
    """A locked login is told so, instead of 'wrong username or password'."""

    def get_invalid_login_error(self):
        claim = getattr(self.request, LOCK_ATTRIBUTE, None)
        if claim is not None and claim.refused:
            return forms.ValidationError(lock_message(claim), code="locked")
        return super().get_invalid_login_error()


class ConsoleAuthenticationForm(LockoutMessageMixin, AuthenticationForm):
    pass


class ConsoleAdminAuthenticationForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
