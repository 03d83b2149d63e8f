"""What sits where AppSync sits: the field map, resolver code, and the local AppSync that emulates it."""
