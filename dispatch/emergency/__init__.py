"""应急指挥: emergencies declared by the command center under a 预案 (config/emergencies.toml)."""
