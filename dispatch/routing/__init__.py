"""Routing (派遣规则): which department handles a report, from ordered rules in config/routing.toml."""
