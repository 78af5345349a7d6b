"""Do No Harm: findings on a proposed action before it happens."""
