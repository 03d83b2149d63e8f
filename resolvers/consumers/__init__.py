"""Event consumers: Lambda handlers fed by EventBridge rules (the local bus locally)."""
