"""Every docstring example in dispatch/ and geo/ runs (so documentation cannot rot).

The one place doctests run: each module once, found here; test modules do not call doctest themselves.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dispatch
import geo


def _modules_with_examples() -> list[str]:
    """Modules of dispatch/ and geo/ whose docstrings hold at least one example."""
    finder, names = doctest.DocTestFinder(), []
    for package in (dispatch, geo):
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            module = importlib.import_module(info.name)
            if any(test.examples for test in finder.find(module)):
                names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} example(s) failed in {name}"
