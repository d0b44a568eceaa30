"""Messages to recipients, by e-mail and SMS, in their language: the courier is on the
way (with the expected time), arrives soon, delivered the parcel (with its proof), or
could not (why, and what happens next).

Each shop chooses which it sends (:mod:`.policy`). A job's change writes its messages
when its transaction commits (:mod:`.outbox`, a transactional outbox: at most one per
job, kind and channel); "arriving soon" is written by the worker (:mod:`.soon`). The
worker's sender (:mod:`.send`) sends each once, retried after a failure that sent
nothing, at most ``messages_per_hour`` to one address, and writes each outcome in the
event log. A recipient opts out by the signed link every message carries
(:mod:`.addresses`). See docs/messages.md.
"""
