import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["database"] is True
    assert response.json()["broker"] is True


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client):
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "broker": False, "sweeper": "stale"}


@pytest.mark.django_db
def test_readyz_reports_whether_the_deadline_sweeper_is_running(client):
    from notifications.sweeper import sweep

    assert client.get("/readyz").json()["sweeper"] == "stale"  # beat has never run
    sweep()
    assert client.get("/readyz").json()["sweeper"] == "running"
