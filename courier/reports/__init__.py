"""What members and the council read about the work dispatch gave out: earnings and
fairness per member and period, what-if replays of a rules change, and contests of
decisions. Reports read what happened; the what-if replay runs the planner."""
