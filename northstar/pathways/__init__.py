"""The nine alternative-justice interventions, the survivor's priorities and their plan."""
