"""The examples in the docstrings of the pure Open311 modules run."""
from __future__ import annotations

import doctest

import pytest

from dispatch.open311 import mapping, xmldoc


@pytest.mark.parametrize("module", [mapping, xmldoc])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
