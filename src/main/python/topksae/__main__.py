"""``python -m topksae jar``: prints the job jar's path (the one the installed wheel carries, or
$TOPKSAE_JAR, or the source checkout's), e.g. ``spark-submit --jars "$(python -m topksae jar)"``.
``python -m topksae version``: the package version and the pyspark range it supports."""

import sys

from topksae import PYSPARK_SUPPORTED, __version__
from topksae.local import find_jar


def main(argv: list) -> int:
    if argv == ["jar"]:
        print(find_jar())
        return 0
    if argv == ["version"]:
        print("topksae %s (pyspark %s)" % (__version__, PYSPARK_SUPPORTED))
        return 0
    print("usage: python -m topksae jar|version", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
