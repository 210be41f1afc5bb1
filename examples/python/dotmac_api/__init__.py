"""DotMac-style FastAPI service embedding faultdesk (seed 000's endpoints)."""
