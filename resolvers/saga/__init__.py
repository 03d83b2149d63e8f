"""The booking saga: its ASL definition, the tasks it runs, and how it is started."""
