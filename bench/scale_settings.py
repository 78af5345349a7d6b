"""The app's settings for the scale benchmark (bench/scale.py): production-like (no DEBUG),
on the bench PostgreSQL database named by DATABASE_URL. The bench signs users in by writing
a session directly, so the second factor is not asked for (benchmark only)."""

from northstar.settings import *  # noqa: F403

DEBUG = False
NORTHSTAR_REQUIRE_TWO_FACTOR = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
