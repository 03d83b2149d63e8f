"""The airline booking API's Lambda code: handlers, domain services, store."""
