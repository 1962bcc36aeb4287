"""Stream stage: enrich articles with spaCy, match YAML rules, emit alerts."""
