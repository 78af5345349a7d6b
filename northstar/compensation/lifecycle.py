"""Which claim transitions are allowed. Pure data and one function, no Django.

draft → filed → awarded / settled / rejected / withdrawn → paying → paid_in_full / defaulted.
A defaulted claim may resume paying; rejected, withdrawn and paid_in_full are final.
"""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    "draft": frozenset({"filed", "withdrawn"}),
    "filed": frozenset({"awarded", "settled", "rejected", "withdrawn"}),
    "awarded": frozenset({"paying", "paid_in_full", "defaulted"}),
    "settled": frozenset({"paying", "paid_in_full", "defaulted", "withdrawn"}),
    "paying": frozenset({"paid_in_full", "defaulted"}),
    "defaulted": frozenset({"paying", "paid_in_full"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "paid_in_full": frozenset(),
}
#: States in which the payer owes money, so payments and schedules may be recorded.
OWING = frozenset({"awarded", "settled", "paying", "defaulted"})
FINAL = frozenset(s for s, nxt in ALLOWED.items() if not nxt)


def refusal(current: str, target: str, *, route: str) -> str | None:
    """Why ``current → target`` is not allowed for a claim on ``route``, or None if it is."""
    if target not in ALLOWED:
        return f"{target!r} is not a claim status"
    if target == current:
        return f"the claim is already {current}"
    if target not in ALLOWED[current]:
        if current in FINAL:
            return f"the claim is {current}; a {current} claim cannot become {target}"
        allowed = ", ".join(sorted(ALLOWED[current]))
        return f"a {current} claim cannot become {target} (it can become: {allowed})"
    if target == "awarded" and route == "out_of_court_mediation":
        return "an out-of-court mediation is settled by agreement, not awarded"
    return None
