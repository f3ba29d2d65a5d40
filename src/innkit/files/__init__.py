"""Where innkit reads and writes: atomic writes, text files, input readers, name lists and the
disk cache. The bottom layer: it knows files and bytes, nothing of drug names."""
