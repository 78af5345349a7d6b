"""The caseworker pages: layout, log-in, caseload, case page."""
