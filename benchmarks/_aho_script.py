"""The baseline a user could write in ten lines: pyahocorasick over a name list, one JSON line
per whole-word hit. Run as a fresh process: ``python _aho_script.py NAMES INPUT OUTPUT``."""

import json
import sys

import ahocorasick


def main() -> None:
    names_file, source, target = sys.argv[1:4]
    automaton = ahocorasick.Automaton()
    with open(names_file, encoding="utf-8") as f:
        for line in f:
            name = line.rstrip("\n")
            if name:
                automaton.add_word(name, name)
    automaton.make_automaton()
    with open(source, encoding="utf-8") as f:
        text = f.read()
    low = text.lower()
    size = len(low)
    with open(target, "w", encoding="utf-8") as out:
        for last, name in automaton.iter(low):
            start, end = last - len(name) + 1, last + 1
            if (start == 0 or not low[start - 1].isalnum()) and (
                    end == size or not low[end].isalnum()):
                out.write(json.dumps({"doc": source, "start": start, "end": end,
                                      "text": text[start:end], "name": name},
                                     ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
