"""The package version, kept apart so that low layers can key caches by it."""

__version__ = "0.1.0"
