import sys

from hemopt.cli import main

sys.exit(main())
