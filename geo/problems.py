"""One thing wrong in a config file, as every check of config/ reports it: which file, which key, why.

The zones validation here and the application's checks of the other files (TOML, the calendar)
share this one type, so `python run.py check-config` prints them all alike. Plain Python: no
shapely, no Flask.

>>> problem = Problem("zones.geojson", "features[0].properties.code", "missing")
>>> str(problem)
'zones.geojson: features[0].properties.code: missing'
>>> problem == ("zones.geojson", "features[0].properties.code", "missing")  # a tuple: compare, unpack
True
>>> str(Problem("calendar.toml", "", "cannot read the file"))  # no key: the whole file
'calendar.toml: (file): cannot read the file'

Every loader refuses a file with one exception type, `ConfigProblemsError` (or a subclass naming
what it reads), carrying all the problems found:

>>> error = ConfigProblemsError([problem])
>>> error.problems == [problem], isinstance(error, ValueError)
(True, True)
>>> print(error)
invalid configuration:
  zones.geojson: features[0].properties.code: missing
"""

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong in a config file: which file, which key (empty: the whole file), why."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key or '(file)'}: {self.reason}"


class ConfigProblemsError(ValueError):
    """Config that cannot be used; ``.problems`` lists every Problem found, one per line of the message."""

    heading = "invalid configuration"  # the message's first line; "{count}" is the number of problems

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{self.heading.format(count=len(self.problems))}:\n{lines}")
