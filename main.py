"""Launch cnnviz.

Usage: python main.py [--tab playground|training|why] [--image PATH] [--screenshot OUT.png]
"""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
