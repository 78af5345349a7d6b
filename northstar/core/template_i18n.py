"""Django's ``i18n`` template library with ``{% translate %}`` kept per language
(``core.template_tags``); named ``i18n`` in ``TEMPLATES[...]["OPTIONS"]["libraries"]``."""

from northstar.core.template_tags import i18n as register

__all__ = ["register"]
