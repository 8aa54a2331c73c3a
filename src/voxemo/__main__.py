import sys

from voxemo.cli.main import main

sys.exit(main())
