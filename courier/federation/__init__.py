"""Federation between coops: partnerships (invitation, keys, approval), jobs handed to a
partner coop that can serve them and followed to the door, and the signed messages the
two instances exchange (the protocol is docs/federation.md).

Dispatch never imports this package: its periodic work (the automatic hand-off scan,
answers that time out, the outbox of signed messages) runs from the worker
(:mod:`courier.federation.worker`)."""
