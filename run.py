"""python run.py [serve|users|check-config|init-db|db|sweep|scheduler|backup] — the command tree of dispatch.cli; see README."""
import sys

from dispatch.cli import main

if __name__ == "__main__":
    sys.exit(main())
