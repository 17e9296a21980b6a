"""The SECRET_KEY rule with DEBUG off: refused by the settings, reported by the system checks."""

import pytest
from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from voipadmin.checks import secret_key_check, secret_key_set_check
from voipadmin.settings.secret_key import refuse_weak_secret_key

GOOD = "k" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
WEAK = {
    "changeme": "8 characters long",
    "django-insecure-" + GOOD: "development key",
    "a" * 60: "fewer than 5 different",
    "abcd" * 20: "fewer than 5 different",
}


@pytest.mark.parametrize(("key", "why"), WEAK.items())
def test_the_settings_refuse_a_weak_key_with_debug_off(key, why):
    with pytest.raises(ImproperlyConfigured, match=why) as refused:
        refuse_weak_secret_key(key, debug=False)
    assert key not in str(refused.value)
    refuse_weak_secret_key(key, debug=True)  # `make run`'s local-only key


def test_the_settings_take_a_strong_key_and_leave_an_unset_one_to_the_check():
    refuse_weak_secret_key(GOOD, debug=False)
    refuse_weak_secret_key("", debug=False)


def test_a_weak_key_fails_the_checks_every_command_runs_not_only_deploy(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "changeme"
    errors = run_checks(tags=[Tags.security], include_deployment_checks=False)
    assert [error.id for error in errors] == ["voipadmin.E001"]
    assert errors[0].msg == "SECRET_KEY is 8 characters long, fewer than 50 while DEBUG is off."
    settings.DEBUG = True
    assert run_checks(tags=[Tags.security], include_deployment_checks=False) == []


def test_an_unset_key_is_e001_under_deploy_only(settings):
    settings.DEBUG = False
    with override_settings(SECRET_KEY=""):  # reading it raises ImproperlyConfigured, as Django does
        assert secret_key_check(None) == []  # makemigrations in CI needs no key
        [error] = secret_key_set_check(None)
    assert (error.id, error.msg) == ("voipadmin.E001", "SECRET_KEY is not set while DEBUG is off.")
    settings.SECRET_KEY = GOOD
    assert secret_key_check(None) == secret_key_set_check(None) == []
