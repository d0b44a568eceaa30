"""What happened and who is told: the event log, compare-and-set state changes of jobs
and runs, live announcements, and the shops' webhook deliveries written at commit.

Everything above the data model records through here (shops, solidarity, the council's
rules, dispatch, reports), so none of them needs another to write down what it did.
"""

from courier.journal.announce import DISPATCH_ROOM, announce_job, announce_run, user_room
from courier.journal.log import move_job, move_run, record

__all__ = ["DISPATCH_ROOM", "announce_job", "announce_run", "move_job", "move_run", "record",
           "user_room"]
