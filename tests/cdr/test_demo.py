"""`seed_demo` for CDRs: a month of calls among the demo accounts, every disposition, multi-leg calls."""

import random

import pytest
from django.db.models import Count

from cdr import demo
from cdr.models import Cdr
from tests.cdr.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_a_month_of_calls_between_the_accounts():
    accounts = [AccountFactory(extension=str(200 + n)) for n in range(12)]
    summary = demo.seed(rng=random.Random(7), scale=0.2)
    total = Cdr.objects.count()
    assert summary == f"{total} call detail records over 30 days" and total > 2000
    sources = set(Cdr.objects.values_list("disposition_source", flat=True))
    assert sources == {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "CANCEL"}
    assert set(Cdr.objects.values_list("disposition", flat=True)) == set(Cdr.Disposition.values)
    days = Cdr.objects.dates("start", "day")
    assert len(days) >= 28
    multi_leg = Cdr.objects.values("linkedid").annotate(legs=Count("id")).filter(legs__gte=3)
    assert multi_leg.exists()
    assert Cdr.objects.filter(src__startswith="+", callee__isnull=False).exists()  # calls in from outside
    assert Cdr.objects.filter(dst__startswith="+", caller__isnull=False).exists()  # calls out
    internal = Cdr.objects.filter(caller__isnull=False, callee__isnull=False).first()
    assert internal.caller in accounts and internal.src == internal.caller.extension
    assert not Cdr.objects.filter(billsec__gt=0).exclude(disposition="ANSWERED").exists()
    assert demo.seed(rng=random.Random(7), scale=0.2) == "call detail records already present"
    assert Cdr.objects.count() == total


def test_plain_numbers_without_accounts():
    demo.seed(rng=random.Random(7), scale=0.05)
    assert Cdr.objects.exists()
    assert not Cdr.objects.filter(caller__isnull=False).exists()
    assert Cdr.objects.filter(src="100").exists() or Cdr.objects.filter(dst="100").exists()
