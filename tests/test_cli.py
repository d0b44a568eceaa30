"""The `courier` command: users and tokens, migrations, the demo seed."""

from sqlalchemy import select

from courier.extensions import db
from courier.models import ApiToken, Courier, Merchant, User
from courier.models.users import hash_token


def test_create_user_prints_a_working_token_last(runner, client):
    r = runner.invoke(args=["create-user", "--role", "merchant", "--name", "Épicerie Rosa",
                            "--email", "Rosa@Example.org", "--password", "pw",
                            "--lat", "45.76", "--lon", "4.83"])
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("ck_")
    shop = db.session.scalars(select(Merchant)).one()
    assert (shop.lat, shop.lon, shop.user.email) == (45.76, 4.83, "rosa@example.org")
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    resp = client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200


def test_create_courier_with_cargo_bike_gets_its_capacity(runner):
    r = runner.invoke(args=["create-user", "--role", "courier", "--name", "Carl",
                            "--vehicle", "cargo_bike"])
    assert r.exit_code == 0, r.output
    c = db.session.scalars(select(Courier)).one()
    assert (c.vehicle.value, c.capacity_kg) == ("cargo_bike", 80.0)


def test_create_user_bad_input_is_a_clear_message(runner):
    r = runner.invoke(args=["create-user", "--role", "pilot", "--name", "X"])
    assert r.exit_code == 2 and "pilot" in r.output
    r = runner.invoke(args=["create-user", "--role", "merchant", "--name", "X", "--lat", "45"])
    assert r.exit_code == 2 and "--lon" in r.output
    r = runner.invoke(args=["create-user", "--role", "merchant", "--name", "X", "--lat", "95",
                            "--lon", "4"])
    assert r.exit_code == 2
    runner.invoke(args=["create-user", "--role", "council", "--name", "A", "--email", "a@x.org"])
    r = runner.invoke(args=["create-user", "--role", "council", "--name", "B", "--email",
                            "a@x.org"])
    assert r.exit_code == 1 and "already exists" in r.output
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_demo_seed_is_idempotent_and_has_a_playable_courier(app):
    from courier.demo import seed

    logins = seed.seed()
    seed.seed()
    assert ("courier", "ana@demo.coop") in logins
    assert db.session.scalar(select(db.func.count()).select_from(User)) == len(
        seed.CITY["shops"]) + len(seed.CITY["couriers"]) + len(seed.CITY["staff"])
