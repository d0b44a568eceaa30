"""The courier app installs like a native one: a web manifest, icons, and a service
worker served from the root so that it may control the pages."""


def test_manifest_names_the_courier_app_and_its_icons(client):
    r = client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"})
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    m = r.json
    assert m["start_url"] == "/courier" and m["display"] == "standalone"
    assert m["name"] == "Coop coursière"
    sizes = {i["sizes"] for i in m["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in m["icons"]:
        with client.get(icon["src"]) as img:
            assert img.status_code == 200 and img.mimetype == "image/png"


def test_service_worker_is_served_from_the_root_uncached(client):
    with client.get("/sw.js") as r:
        assert r.status_code == 200
        assert r.headers["Service-Worker-Allowed"] == "/"
        assert r.headers["Cache-Control"] == "no-cache"
        body = r.get_data(as_text=True)
    assert "/api/" in body  # API calls are never cached


def test_courier_page_links_the_manifest_and_leaflet(client, make_courier):
    from tests.test_pages import login

    login(client, make_courier())
    html = client.get("/courier").get_data(as_text=True)
    assert 'rel="manifest"' in html and "vendor/leaflet/leaflet.js" in html
    assert "https://" not in html.replace("https://coop", "")  # nothing from a CDN


def test_tile_server_comes_from_the_configuration(app, client, make_courier):
    from tests.test_pages import login

    app.config.update(TILE_URL="https://tiles.example/{z}/{x}/{y}.png",
                      TILE_ATTRIBUTION="© Example")
    login(client, make_courier())
    html = client.get("/courier").get_data(as_text=True)
    assert '"tileUrl": "https://tiles.example/{z}/{x}/{y}.png"' in html
