"""What a pager link keeps of the page's address."""

from __future__ import annotations


def query_without(request, *names: str) -> str:
    """The page's query string without ``names`` (the cursor or page number, a notice), so
    the filters hold across the pages a pager links to."""
    rest = request.GET.copy()
    for name in names:
        rest.pop(name, None)
    return rest.urlencode()
