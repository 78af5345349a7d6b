"""Anonymous intelligence for deterrence: what workers and survivors know of routes,
recruiters, agencies and employers, cut off from any case record the moment it is
reported, and shared between organisations only as corroborated patterns."""
