"""Finding names in text: the scan, the verdict on each word, growing a word to the whole
name, short forms, look-alike letters, usage contexts, and the stitcher of a streamed text."""
