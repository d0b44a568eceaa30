"""When the street-routing server is down, dispatch goes on with geodesic times."""

import pytest

from tests.conftest import base_config
from tests.live import free_port


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, OSRM_URL=f"http://127.0.0.1:{free_port()}")


def test_dispatch_survives_a_dead_osrm_server(make_merchant, make_courier, make_job, dispatcher,
                                              caplog):
    shop = make_merchant()
    make_courier()
    job = make_job(shop)
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200, r.json
    assert r.json["runs"][0]["stops"][0]["job_id"] == job["id"]
    assert "street matrix unavailable" in caplog.text
