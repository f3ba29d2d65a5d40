"""Adapters that put innkit inside other tools (spaCy pipelines, distributed engines)."""
