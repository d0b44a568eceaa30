"""The recipient's tracking link: public, unguessable, showing little, gone 3 hours
after the end; the shop and dispatch see it, couriers do not."""

from datetime import timedelta

from courier.extensions import db
from courier.models import Job, utcnow
from tests.pages.helpers import carried_job


def token_of(url):
    return url.rsplit("/t/", 1)[1]


def test_shop_gets_an_absolute_unguessable_link(client, make_merchant, make_job):
    shop = make_merchant()
    a, b = make_job(shop), make_job(shop)
    assert a["tracking_url"].startswith("http://localhost/t/")
    assert len(token_of(a["tracking_url"])) >= 32
    assert token_of(a["tracking_url"]) != token_of(b["tracking_url"])
    listed = shop.get("/jobs").json["jobs"][0]
    assert listed["tracking_url"] == b["tracking_url"]


def test_public_url_setting_makes_links_absolute_on_it(app, make_merchant, make_job):
    app.config["PUBLIC_URL"] = "https://coop.example/"
    job = make_job(make_merchant())
    assert job["tracking_url"].startswith("https://coop.example/t/")


def test_couriers_never_see_the_link(make_merchant, make_courier, dispatcher, make_job):
    shop, ana, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                       "accepted")
    assert "tracking_url" not in ana.get(f"/jobs/{job_id}").json
    assert "tracking_url" not in ana.post(f"/jobs/{job_id}/picked-up").json
    assert "tracking_url" in shop.get(f"/jobs/{job_id}").json
    assert "tracking_url" in dispatcher.get(f"/jobs/{job_id}").json


def test_only_the_shop_and_dispatch_read_the_link(make_user, make_merchant, make_job, dispatcher):
    job = make_job(make_merchant())
    council = make_user("council", "Cleo Council")
    assert "tracking_url" not in council.get(f"/jobs/{job['id']}").json
    assert "tracking_url" not in council.get("/jobs").json["jobs"][0]
    assert "tracking_url" in dispatcher.get("/jobs").json["jobs"][0]


def test_page_shows_status_and_first_name_only(client, make_merchant, make_courier, dispatcher,
                                               make_job):
    shop, _, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                     "accepted", courier_name="Ana Lopez")
    url = shop.get(f"/jobs/{job_id}").json["tracking_url"]
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A courier is on the way to the shop" in html and "Ana" in html
    for secret in ("Lopez", "Rita", "0600000000", "Rue X"):
        assert secret not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers  # nothing kept about the recipient


def test_position_only_while_carried(client, make_merchant, make_courier, dispatcher, make_job):
    shop, ana, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                       "accepted")
    api = "/api/v1/track/" + token_of(shop.get(f"/jobs/{job_id}").json["tracking_url"])
    assert "lat" not in client.get(api).json["courier"]
    ana.post(f"/jobs/{job_id}/picked-up")
    ana.post("/courier/position", json={"lat": 45.77, "lon": 4.84})
    carried = client.get(api).json
    assert carried["status"] == "picked_up"
    assert (carried["courier"]["lat"], carried["courier"]["lon"]) == (45.77, 4.84)
    assert set(carried["courier"]) == {"first_name", "lat", "lon", "position_at"}
    ana.post(f"/jobs/{job_id}/delivered")
    done = client.get(api).json
    assert done["status"] == "delivered" and "lat" not in done["courier"]
    assert done["expires_at"] is not None


def test_link_expires_three_hours_after_delivery(client, make_merchant, make_courier, dispatcher,
                                                 make_job):
    shop, _, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                     "delivered")
    url = shop.get(f"/jobs/{job_id}").json["tracking_url"]
    api = "/api/v1/track/" + token_of(url)
    job = db.session.get(Job, job_id)
    job.delivered_at = utcnow() - timedelta(hours=2, minutes=59)
    db.session.commit()
    assert client.get(url).status_code == 200
    job.delivered_at = utcnow() - timedelta(hours=3, minutes=1)
    db.session.commit()
    gone = client.get(url, headers={"Accept-Language": "en"})
    assert gone.status_code == 410 and "expired" in gone.get_data(as_text=True)
    assert client.get(api).status_code == 410


def test_unknown_token_is_not_found(client):
    assert client.get("/t/nope").status_code == 404
    r = client.get("/api/v1/track/" + "x" * 32)
    assert r.status_code == 404 and r.json["error"] == "no such tracking link"


def test_live_job_updates_to_the_shop_carry_the_link(app, make_merchant, make_job, dispatcher):
    shop = make_merchant()
    sock = shop.socket(app)
    sock.get_received()
    job = make_job(shop)
    shop.post(f"/jobs/{job['id']}/cancel", json={})
    updates = [m["args"][0] for m in sock.get_received() if m["name"] == "job.updated"]
    assert updates and all(u["tracking_url"].endswith(token_of(job["tracking_url"]))
                           for u in updates)
