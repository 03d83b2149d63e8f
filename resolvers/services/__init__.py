"""Domain services: the use cases, speaking domain types; they own the rules and the owner checks."""
