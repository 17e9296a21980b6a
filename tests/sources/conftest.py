import pytest

from tests.sources.asterisk_tables import source_db


@pytest.fixture(params=["postgres", "mariadb"])
def source(request):
    """A database on the real PostgreSQL or MariaDB server, for Asterisk's CDR tables."""
    with source_db(request.param) as db:
        yield db
