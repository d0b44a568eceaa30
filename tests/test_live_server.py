"""The server as `courier run` starts it, with a real Socket.IO client over a real socket."""

import threading

import pytest
import requests
import socketio as sio

from tests.conftest import job_body
from tests.live import LiveServer


@pytest.fixture
def server(app, database_url):
    srv = LiveServer(database_url).start()
    yield srv
    srv.stop()


def test_courier_receives_an_offer_over_a_real_socket(server, make_merchant, make_courier,
                                                      dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    got = threading.Event()
    offers = []
    client = sio.Client(reconnection=False)

    @client.on("run.offered")
    def _offer(run):
        offers.append(run)
        got.set()

    client.connect(server.url, auth={"token": ana.token}, transports=["websocket"],
                   wait_timeout=10)
    try:
        r = requests.post(server.url + "/api/v1/jobs", json=job_body(), headers=shop.headers,
                          timeout=10)
        assert r.status_code == 201, r.text
        r = requests.post(server.url + "/api/v1/dispatch", headers=dispatcher.headers, timeout=30)
        assert r.status_code == 200, r.text
        assert got.wait(10), "no offer arrived"
    finally:
        client.disconnect()
    assert offers[0]["courier"]["first_name"] == "Ana"
    assert offers[0]["stops"][0]["job_id"] == r.json()["runs"][0]["stops"][0]["job_id"]


def test_real_socket_without_token_is_refused(server):
    client = sio.Client(reconnection=False)
    with pytest.raises(sio.exceptions.ConnectionError):
        client.connect(server.url, auth={"token": "forged"}, transports=["websocket"],
                       wait_timeout=5)
    client.disconnect()
