"""The app's settings as production serves static files: from the collected,
pre-compressed copies (no finders, no autorefresh), so the bytes measured are
the bytes a phone would download."""

from northstar.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
