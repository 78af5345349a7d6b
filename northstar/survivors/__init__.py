"""Survivors, their cases and their per-purpose consents, and the actions that change them."""
