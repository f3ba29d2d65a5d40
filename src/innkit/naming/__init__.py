"""Coining names: validate a proposed name against the scheme, suggest compliant ones, and
audit the shipped antibody table."""
