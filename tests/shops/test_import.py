"""Bulk import of jobs from CSV: every row or none, with a report per row."""

import io

from courier.extensions import db
from courier.models import Job

HEADER = ("reference,group,dropoff_address,dropoff_lat,dropoff_lon,weight_kg,recipient_name,"
          "notes\n")
GOOD = HEADER + ("A-1,,12 rue X,45.770,4.840,2,Rita,\n"
                 "A-2,g1,1 rue Y,45.775,4.845,1,Yann,ring twice\n"
                 ",g1,2 rue Z,45.755,4.830,3,Zoé,\n")


def post_csv(shop, text, query=""):
    return shop.post("/jobs/import" + query, data=text.encode(),
                     headers={"Content-Type": "text/csv"})


def test_rows_become_jobs_and_grouped_rows_one_delivery(make_merchant):
    shop = make_merchant()
    r = post_csv(shop, GOOD)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 3
    single, first, second = r.json["jobs"]
    assert single["group_id"] is None and single["recipient"]["name"] == "Rita"
    assert first["group_id"] == second["group_id"] == first["id"]
    assert first["notes"] == "ring twice" and second["weight_kg"] == 3
    again = post_csv(shop, GOOD)  # the references make a second import harmless
    assert again.status_code == 201 and again.json["created"] == 0
    assert again.json["existing"] == 3
    assert db.session.query(Job).count() == 3


def test_any_bad_row_means_nothing_is_imported_and_each_is_reported(make_merchant):
    shop = make_merchant()
    text = HEADER + ("A-1,,12 rue X,45.770,4.840,2,Rita,\n"
                     "A-2,,1 rue Y,95,4.845,1,Yann,\n"
                     "A-3,,,,,1,Zoé,\n"
                     "A-4,,4 rue W,45.76,4.83,heavy,Wil,\n")
    r = post_csv(shop, text)
    assert r.status_code == 422, r.json
    assert [row["row"] for row in r.json["rows"]] == [3, 4, 5]
    assert "dropoff_lat" in r.json["rows"][0]["fields"]
    assert "dropoff_address" in r.json["rows"][1]["fields"]
    assert "weight_kg" in r.json["rows"][2]["fields"]
    assert "nothing was imported" in r.json["error"]
    assert db.session.query(Job).count() == 0


def test_a_refusal_from_submission_names_its_row(make_merchant, dispatcher):
    dispatcher.post("/zones", json={"name": "Centre", "geometry": {"type": "Polygon",
                    "coordinates": [[[4.82, 45.76], [4.85, 45.76], [4.85, 45.78], [4.82, 45.78],
                                     [4.82, 45.76]]]}})
    r = post_csv(make_merchant(), GOOD)
    assert r.status_code == 422
    reported = {row["row"]: row for row in r.json["rows"]}
    assert 4 in reported and "outside every service zone" in reported[4]["error"]
    assert db.session.query(Job).count() == 0


def test_dry_run_prices_the_rows_and_creates_nothing(make_merchant):
    r = post_csv(make_merchant(), GOOD, "?dry_run=true")
    assert r.status_code == 200 and r.json["dry_run"] is True and r.json["created"] == 0
    assert [d["rows"] for d in r.json["deliveries"]] == [[2], [3, 4]]
    assert all(d["price_cents"] > 0 for d in r.json["deliveries"])
    assert r.json["deliveries"][1]["facts"]["dropoffs"] == 2
    assert db.session.query(Job).count() == 0


def test_excel_csv_with_semicolons_and_bom_is_read(make_merchant):
    text = "\ufeff" + GOOD.replace(",", ";")
    r = post_csv(make_merchant(), text)
    assert r.status_code == 201, r.json


def test_file_upload_and_bad_files(make_merchant):
    shop = make_merchant()
    r = shop.post("/jobs/import", data={"file": (io.BytesIO(GOOD.encode()), "jobs.csv")},
                  content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    r = post_csv(shop, "reference,colour\nx,red\n")
    assert r.status_code == 422 and "colour" in r.json["error"]
    assert post_csv(shop, "").status_code == 422
    r = shop.post("/jobs/import", data="é".encode("latin-1"), headers={"Content-Type": "text/csv"})
    assert r.status_code == 422 and "UTF-8" in r.json["error"]


def test_a_row_gives_the_recipients_email_language_and_code_or_is_refused_naming_them(
        make_merchant):
    shop = make_merchant()
    header = ("reference,dropoff_lat,dropoff_lon,recipient_name,recipient_email,"
              "recipient_language,recipient_code\n")
    bad = post_csv(shop, header + "R-1,45.770,4.840,Rita,rita@,de,12\n")
    assert bad.status_code == 422, bad.json
    assert set(bad.json["rows"][0]["fields"]) == {"recipient_email", "recipient_language",
                                                  "recipient_code"}
    assert db.session.query(Job).count() == 0
    r = post_csv(shop, header + "R-1,45.770,4.840,Rita,rita@example.org,en,4321\n")
    assert r.status_code == 201, r.json
    job = db.session.get(Job, r.json["jobs"][0]["id"])
    assert (job.recipient_email, job.recipient_lang, job.recipient_code) == (
        "rita@example.org", "en", "4321")
