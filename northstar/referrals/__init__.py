"""The service directory and consented, minimal-data referrals, across borders."""
