import sys

from dsmagic.cli import main

sys.exit(main())
