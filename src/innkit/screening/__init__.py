"""Look-alike and sound-alike screening: spelling and sound measures, and their ranking."""
