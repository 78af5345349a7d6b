"""The rule-file kernel the justice engines share: one loader, one error, one ``when`` language.

Pure Python (pydantic, no Django), so screening, pathways, safeguards, the
justice timeline and the compensation wage rules read their TOML the same way
and a lawyer's edit fails with the same kind of message everywhere.
"""
