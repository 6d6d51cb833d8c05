"""python run.py [serve|users|check-config|init-db|sweep|scheduler] — see README."""
import sys

from dispatch.cli import main

if __name__ == "__main__":
    sys.exit(main())
