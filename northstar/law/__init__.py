"""Each jurisdiction's legal position for a trafficking survivor, as cited data.

Pure Python (no Django): ``legal_position.toml`` holds the facts with their
sources, ``position.py`` validates and reads them, ``texts.py`` holds what a
survivor is told, and ``translations.toml`` the translations awaiting review.
"""
