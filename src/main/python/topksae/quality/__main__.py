import sys

from topksae.quality.harness import main

sys.exit(main())
