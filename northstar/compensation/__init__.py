"""The compensation calculator, claims, awards, payments, mediation and the victim fund."""
