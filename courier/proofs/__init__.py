"""Proofs of delivery: which proof a shop asks of its jobs (:mod:`.policy`), the files
checked (:mod:`.files`) and kept through one small store (:mod:`.store`: the instance
folder, or an S3-compatible bucket), the proofs of a job kept or removed (:mod:`.keep`),
and a shop's proofs of a period as one ZIP with a PDF summary (:mod:`.export`).

Dispatch asks :func:`courier.proofs.policy.check` before any stop is marked delivered or
failed, whatever the path (the phone, the API, the offline queue's replay), and keeps
the proof in the same transaction (:func:`courier.proofs.keep.keep`)."""
