"""Northstar: a survivor-centred justice platform for counter-trafficking work."""
