"""Domain types, errors and rules shared by the services: no I/O here."""
