"""Pieces shared by every page, below the apps that fill them.

``panels`` is the registry through which domain apps add cards to the shared
survivor and case pages and alerts to the caseload; it knows no app, so any
app may import it without reaching up into ``northstar.web``.
"""
