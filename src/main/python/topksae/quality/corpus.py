"""English text for the real-activation set, from two Debian packages: ``fortunes`` (about 15k
fortune cookies: quotes, jokes, short prose) and ``linux-doc-*`` (the Linux kernel's
documentation, reStructuredText). Install them with ``apt-get install fortunes linux-doc``.

Documents: one per cookie; kernel paragraphs (literal blocks, tables and headings dropped) cut
into pieces of at most ``max_words`` words. The held-out split is by source document: a cookie,
or a whole kernel file with all its pieces, goes to held-out when crc32(name) % 10 == 0, so no
held-out text shares a file with training text.
"""

import glob
import gzip
import os
import re
import zlib
from typing import Iterator, List, Tuple

FORTUNES = "/usr/share/games/fortunes"
KERNEL_DOCS = "/usr/share/doc/linux-doc-*/Documentation"
_MARKUP = re.compile(r"^(\.\. |::|[=\-~^*#+`:]{3,}|\||\+[-=])")


def heldout(name: str) -> bool:
    return zlib.crc32(name.encode("utf-8")) % 10 == 0


def fortune_docs(folder: str = FORTUNES) -> Iterator[Tuple[str, str]]:
    """(name, text) of every cookie of the English fortune files (no .dat/.u8 indexes)."""
    for path in sorted(glob.glob(os.path.join(folder, "*"))):
        if "." in os.path.basename(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            cookies = f.read().split("\n%\n")
        for i, c in enumerate(cookies):
            text = " ".join(c.replace("%", " ").split())
            if len(text.split()) >= 3:
                yield "%s:%d" % (os.path.basename(path), i), text


def rst_paragraphs(text: str) -> Iterator[str]:
    """Prose paragraphs of a reStructuredText file: blocks of unindented lines, no markup."""
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines or any(ln[0].isspace() or _MARKUP.match(ln) for ln in lines):
            continue
        yield " ".join(" ".join(lines).split())


def kernel_docs(pattern: str = KERNEL_DOCS, max_words: int = 96) -> Iterator[Tuple[str, str]]:
    """(file name, text piece) of the kernel documentation's prose, in file order."""
    folders = sorted(glob.glob(pattern))
    if not folders:
        return
    root = folders[-1]
    for path in sorted(glob.glob(os.path.join(root, "**", "*.rst*"), recursive=True)):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            paragraphs = list(rst_paragraphs(f.read()))
        name = os.path.relpath(path, root)
        for p in paragraphs:
            words = p.split()
            if len(words) < 8:
                continue
            for s in range(0, len(words), max_words):
                yield name, " ".join(words[s : s + max_words])


def write_corpus(
    folder: str,
    max_words: int,
    fortunes: str = FORTUNES,
    kernel: str = KERNEL_DOCS,
    min_words: int = 100_000,
) -> Tuple[str, str, int]:
    """Writes train.txt and heldout.txt (one document per line) in folder, at most max_words
    words in all (every cookie first, then kernel prose); returns their paths and the word count."""
    os.makedirs(folder, exist_ok=True)
    train: List[str] = []
    held: List[str] = []
    words = 0
    for source in (fortune_docs(fortunes), kernel_docs(kernel)):
        for name, text in source:
            if words >= max_words:
                break
            (held if heldout(name) else train).append(text)
            words += len(text.split())
    if words < min_words:
        raise SystemExit(
            "only %d words of text found: install the Debian packages fortunes and "
            "linux-doc (apt-get install fortunes linux-doc)" % words
        )
    paths = os.path.join(folder, "train.txt"), os.path.join(folder, "heldout.txt")
    for path, docs in zip(paths, (train, held)):
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(docs) + "\n")
    return paths[0], paths[1], words
