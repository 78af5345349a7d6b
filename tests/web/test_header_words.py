"""The header names the signed-in person's role in words, never its code."""

from tests.conftest import make_user


def test_the_header_shows_the_role_in_words(client, org_a):
    lawyer = make_user("lawyer.a", org_a, "legal_officer")
    client.force_login(lawyer)
    page = client.get("/").content.decode()
    assert "Legal officer" in page and "legal_officer" not in page
