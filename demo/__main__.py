import sys

from demo.loader import main

sys.exit(main())
