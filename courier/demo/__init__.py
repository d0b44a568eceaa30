"""A demo city (Lyon) and a simulator that keeps it busy."""
