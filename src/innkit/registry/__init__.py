"""The registry of known names: shipped antibody INNs plus a user's own names.

Decoding reads a name; the registry knows the facts a name cannot tell (target antigen, format,
year, status). The shipped table lives in ``innkit/data/antibody_inns.tsv`` and is loaded into
an in-memory SQLite database on first use; a naming team's own names (candidates, internal
codes, brand names) live in a user database file that every verb reads alongside.
"""

from .core import (
    ENTRY_KINDS,
    Registry,
    RegistryEntry,
    SearchHit,
    default_user_db,
    get_registry,
    name_key,
    set_registry,
)
from .store import ImportReport, RowError, UserStore

__all__ = [
    "ENTRY_KINDS",
    "ImportReport",
    "Registry",
    "RegistryEntry",
    "RowError",
    "SearchHit",
    "UserStore",
    "default_user_db",
    "get_registry",
    "name_key",
    "set_registry",
]
