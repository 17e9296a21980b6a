import pytest
from django.db import connection


@pytest.fixture
def sealed(db):
    """Seal audit rows as they are written, as a commit would (tests run inside one transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS audit_auditrecord_seal IMMEDIATE")


def tamper(sql: str, params=()) -> None:
    """Change the database behind the application's back (as a superuser with triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")
