"""Survivors shaping the system: councils, training, peer support, consultations and
outreach, by their own choice, safely, and paid for their time."""
