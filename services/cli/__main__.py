"""`python -m services.cli …`: how the embedded runner starts its children and the tests call the CLI."""
import sys

from services.cli import main

sys.exit(main())
