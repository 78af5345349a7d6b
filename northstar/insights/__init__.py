"""Figures for funders, governments and researchers: did survivors get what they wanted?

Measures are defined once, as data (``measures.toml``), computed in the database per
organisation, rolled up from per-organisation counts (never by pooling records), and
pass through one disclosure gate before anyone sees them."""
