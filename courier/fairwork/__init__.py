"""Fair work: the council's rules, enforced by dispatch; time tracking; pay,
earnings and fairness reports; what-if replays of rule changes."""
