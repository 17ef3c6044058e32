"""The pure model of genmedia: aggregates, value objects, rules and domain errors."""
