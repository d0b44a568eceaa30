"""Dispatch: turns jobs, couriers and rules into a routing problem, applies the
plan as offers, and drives the lifecycle of jobs and runs."""
