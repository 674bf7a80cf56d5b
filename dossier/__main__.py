"""`python -m dossier …` is the `dossier` command: for a machine where the script's folder is not
on PATH (the scorer's own example runs it this way)."""
import sys

from services.cli import main

if __name__ == "__main__":
    sys.exit(main())
