"""When one commit sends many live messages, couriers hear about their runs first."""

from courier import outbox
from courier.extensions import db


def test_couriers_runs_go_out_first_and_each_room_keeps_its_order(app):
    sent = []
    previous = outbox._sender
    outbox.set_sender(lambda name, payload, room: sent.append((name, payload["n"], room)))
    try:
        for n in range(3):
            outbox.publish(db.session, "job.updated", {"n": n}, f"user:{100 + n}", "dispatch")
            outbox.publish(db.session, "run.offered", {"n": n}, f"user:{n}", "dispatch")
        db.session.commit()
    finally:
        outbox.set_sender(previous)
    assert [(name, room) for name, _, room in sent[:3]] == [
        ("run.offered", "user:0"), ("run.offered", "user:1"), ("run.offered", "user:2")]
    assert [room for _, _, room in sent[3:6]] == ["user:100", "user:101", "user:102"]
    assert [(name, n) for name, n, room in sent if room == "dispatch"] == [
        ("job.updated", 0), ("run.offered", 0), ("job.updated", 1), ("run.offered", 1),
        ("job.updated", 2), ("run.offered", 2)]


def test_one_message_for_several_rooms_goes_out_as_one_emit_shop_room_first(app):
    sent = []
    previous = outbox._sender
    outbox.set_sender(lambda name, payload, room: sent.append((name, payload["n"], room)))
    try:
        outbox.publish(db.session, "job.updated", payload := {"n": 7}, "dispatch", "user:5")
        outbox.publish(db.session, "job.updated", payload, "user:5")
        db.session.commit()
        outbox.publish(db.session, "job.updated", {"n": 8}, "user:5")
        outbox.publish(db.session, "job.updated", {"n": 8}, "dispatch")  # equal, not the same
        db.session.commit()
    finally:
        outbox.set_sender(previous)
    assert sent == [("job.updated", 7, ["user:5", "dispatch"]),
                    ("job.updated", 8, "user:5"), ("job.updated", 8, "dispatch")]


def test_a_job_told_twice_in_one_commit_is_told_once_as_it_ends(app):
    sent = []
    previous = outbox._sender
    outbox.set_sender(lambda name, payload, room: sent.append((name, payload["n"], room)))
    try:
        outbox.publish(db.session, "job.updated", {"n": "moved"}, "user:5", key=1)
        outbox.publish(db.session, "run.updated", {"n": "run"}, "user:5")
        outbox.publish(db.session, "job.updated", {"n": "new eta"}, "user:5", key=1)
        outbox.publish(db.session, "job.updated", {"n": "other job"}, "user:5", key=2)
        db.session.commit()
        outbox.publish(db.session, "job.updated", {"n": "next commit"}, "user:5", key=1)
        db.session.commit()
    finally:
        outbox.set_sender(previous)
    assert sent == [("run.updated", "run", "user:5"), ("job.updated", "new eta", "user:5"),
                    ("job.updated", "other job", "user:5"),
                    ("job.updated", "next commit", "user:5")]
