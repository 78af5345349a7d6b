"""What survivors say about their support and their lives after it: the wellbeing and
fairness surveys at set moments, and the follow-up check-ins after a case closes."""
