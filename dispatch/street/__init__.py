"""The street's configured data: zones, departments, categories, routing (config/)."""
