"""``python -m socket_gateway serve MODULE:ATTR``: see socket_gateway._cli.

Threading: the main thread.
"""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
