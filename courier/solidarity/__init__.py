"""Solidarity logistics: food hubs and their rounds, partners' free deliveries for
people who need them, volunteers, the recipients' privacy, and open data."""
