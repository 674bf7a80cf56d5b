"""Moved to `dossier.stages.calendar` (the calendar is a pure rule); this name is kept only
until the CLI imports the new place."""
from dossier.stages.calendar import *  # noqa: F401,F403
from dossier.stages.calendar import bases, notice_end  # noqa: F401
