"""Intake: a report becomes a ticket (validate, geolocate, deduplicate, route, idempotency)."""
