"""A four-line FDA UNII name list (one substance, its INN, brand and code), for the tests that
build a substance index of their own in seconds instead of the real list's minute."""

SMALL_UNII = (
    "Name\tTYPE\tUNII\tDisplay Name\n"
    "INOTUZUMAB OZOGAMICIN\tof\tP93RUU11P7\tINOTUZUMAB OZOGAMICIN\n"
    "INOTUZUMAB OZOGAMICIN [INN]\tcn\tP93RUU11P7\tINOTUZUMAB OZOGAMICIN\n"
    "BESPONSA\tbn\tP93RUU11P7\tINOTUZUMAB OZOGAMICIN\n"
    "CMC-544\tcd\tP93RUU11P7\tINOTUZUMAB OZOGAMICIN\n"
)
