"""Organisations, people and roles, field encryption, the audit log. Knows no survivor."""
