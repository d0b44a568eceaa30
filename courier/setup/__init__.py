"""A new territory in a day: ``courier init`` (coop, city, service zone, rules, first
council member), the coop's settings, and the checklist of what remains to set."""
