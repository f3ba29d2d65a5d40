"""Does the text say what the name says? Claims about named antibodies (source, target, target
class, payload, format), found in a text and judged against the name and the antibody table."""
