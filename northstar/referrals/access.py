"""What an organisation may see of a survivor through referrals.

Written by the referrals app; ``northstar.policy`` is its only caller. Until
referrals exist, no organisation sees another's survivors.
"""

from __future__ import annotations


def shared_survivor_ids(organisation, at=None):
    """Ids of survivors ``organisation`` may see through active, consented referrals."""
    return []


def shared_fields(organisation, survivor, at=None) -> frozenset[str] | None:
    """Fields of ``survivor`` shared with ``organisation``, or None."""
    return None
