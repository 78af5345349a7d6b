"""The justice chain timeline: stages, events, and the tasks they raise."""
