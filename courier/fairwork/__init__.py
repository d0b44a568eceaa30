"""The council's rules: the rules document and its versions, what they leave each
courier (limits), time tracking, pay, and what each courier worked and earned. Facts
and checks only; dispatch obeys them (:mod:`courier.dispatch.gate`) and reports read
them (:mod:`courier.reports`)."""
