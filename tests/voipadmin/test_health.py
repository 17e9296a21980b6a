"""`/healthz` and `/readyz` for a load balancer: unauthenticated, over plain HTTP, no secrets."""

import pytest


def test_liveness_answers_anyone_without_touching_the_database(client):
    # no django_db mark: pytest-django fails any query this request would make
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_checks_the_database_and_the_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "replica": "off"}


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_makes_the_node_unready_and_says_no_more(client, settings):
    settings.CELERY_BROKER_URL = "redis://:s3cret-pass@127.0.0.1:6449/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable", "replica": "off"}
    assert b"s3cret" not in response.content and b"6449" not in response.content


@pytest.mark.django_db
def test_probes_over_plain_http_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/cdr/").status_code == 301


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
