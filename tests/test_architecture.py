"""The checks a reviewer makes of the code's shape: each rule of the domain has one owner.

- no import cycle between the packages of dispatch/ (and geo/ imports neither Flask nor the database);
- a ticket's status is written only by the transition table (dispatch/tickets/transitions.py);
- a timeline step (留痕) is made only by dispatch/tickets/service.py, which chains its hash;
- the per-deadline columns (response_/resolve_ deadline, limit, next level and time, time left) are read
  and written only by the ticket's clock (dispatch/tickets/clock.py), so "late" has one definition;
- the page layer (dispatch/web/) holds no SQL and no deadline or visibility rule;
- no file of the project cites a domain document outside the repository.
"""
from __future__ import annotations

import ast
import functools
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DISPATCH = ROOT / "dispatch"


def _sources(folder: Path) -> tuple[tuple[Path, ast.AST], ...]:
    """Each source file of folder and its tree, parsed once per test run (the checks read the trees, never change
    them: _without_docstrings works on a tree of its own)."""
    return _parsed(folder.resolve())


@functools.cache
def _parsed(folder: Path) -> tuple[tuple[Path, ast.AST], ...]:
    return tuple((path, _parse(path)) for path in sorted(folder.rglob("*.py"))
                 # revisions are frozen history; they must not import the models anyway
                 if not ("migrations" in path.parts and "versions" in path.parts))


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def _code_without_docstrings(folder: Path) -> tuple[tuple[Path, str], ...]:
    """Each source file of folder as code (ast.unparse), its docstrings left out; once per test run."""
    return tuple((path, ast.unparse(_without_docstrings(_parse(path)))) for path, _ in _sources(folder))


def _package_of(module: str) -> str | None:
    """dispatch.tickets.clock -> tickets; dispatch.db -> db; anything else -> None."""
    parts = module.split(".")
    if parts[0] != "dispatch" or len(parts) < 2:
        return None
    return parts[1]


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (annotations only: no dependency at run time)."""
    return {id(inner) for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
            for inner in ast.walk(node)}


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):  # also the imports inside functions: they are dependencies too
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path, tree in _sources(DISPATCH):
        source = _package_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if source is None:
            continue
        for module in _imports(tree):
            target = _package_of(module)
            if target is not None and target != source and (DISPATCH / target).is_dir():
                graph[source].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_packages_of_dispatch_import_each_other_without_a_cycle():
    cycle = _cycle(package_graph())
    assert cycle is None, "import cycle between packages: " + " → ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    # the check above could not fail if this did not
    assert _cycle({"tickets": {"escalation"}, "escalation": {"tickets"}}) == ["escalation", "tickets", "escalation"]
    assert _cycle({"web": {"tickets"}, "tickets": {"street"}}) is None


def test_geo_needs_neither_flask_nor_a_database():
    for path, tree in _sources(ROOT / "geo"):
        bad = {m for m in _imports(tree) if m.split(".")[0] in ("flask", "sqlmodel", "sqlalchemy", "dispatch")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def _status_writes(tree: ast.AST) -> list[int]:
    """Lines assigning a ticket's status (``<…ticket…>.status = …``) or building a Ticket with ``status=``."""
    lines = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if (isinstance(target, ast.Attribute) and target.attr == "status"
                    and "ticket" in ast.unparse(target.value).lower()):
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Ticket"):
            for keyword in node.keywords:
                if keyword.arg == "status" and "transitions" not in ast.unparse(keyword.value):
                    lines.append(node.lineno)
    return lines


def test_a_tickets_status_is_written_only_by_the_transition_table():
    owner = DISPATCH / "tickets" / "transitions.py"
    offenders = {str(path.relative_to(ROOT)): lines for path, tree in _sources(DISPATCH)
                 if path != owner and (lines := _status_writes(tree))}
    assert offenders == {}
    assert _status_writes(ast.parse("ticket.status = 'closed'\nTicket(status='x')")) == [1, 2]  # it can fail


def _timeline_writes(tree: ast.AST) -> list[int]:
    """Lines making a timeline row: ``TimelineEntry(…)`` or a statement on ``TimelineEntry.__table__``."""
    return sorted({node.lineno for node in ast.walk(tree)
                   if (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("TimelineEntry"))
                   or (isinstance(node, ast.Attribute) and node.attr == "__table__"
                       and ast.unparse(node.value).endswith("TimelineEntry"))})


def test_timeline_steps_are_made_only_by_the_tickets_service():
    # tickets.service.record / record_many chain each step's hash (dispatch/tickets/record.py); a step made
    # anywhere else would have none, and `audit verify` would call the record broken.
    owner = DISPATCH / "tickets" / "service.py"
    offenders = {str(path.relative_to(ROOT)): lines for path, tree in _sources(DISPATCH)
                 if path != owner and (lines := _timeline_writes(tree))}
    assert offenders == {}
    assert _timeline_writes(ast.parse("TimelineEntry(ticket_id=1)\n"
                                      "bulk.insert_many(s, TimelineEntry.__table__, c, r)")) == [1, 2]  # it can fail


# A ticket's per-deadline column reached as an attribute, or by a name built from the deadline's kind.
DEADLINE_COLUMN = re.compile(r"\.(?:response|resolve)_(?:deadline|next_at|next_level|remaining|limit)\b"
                             r"|(?:getattr|setattr)\([^)]*f[\"']\{[a-z_.]*kind\}_")


def test_only_the_clock_touches_the_per_deadline_columns():
    allowed = {DISPATCH / "tickets" / "clock.py", DISPATCH / "tickets" / "models.py",
               DISPATCH / "street" / "schemas.py"}  # the last: a category's two limits, not a ticket's
    offenders = {}
    for path, code in _code_without_docstrings(DISPATCH):
        found = sorted(set(DEADLINE_COLUMN.findall(code)))
        if found and path not in allowed:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
    assert DEADLINE_COLUMN.findall('t.resolve_deadline < now; getattr(t, f"{kind}_next_at")') == [
        ".resolve_deadline", 'getattr(t, f"{kind}_']  # it can fail


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
                    first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


@pytest.mark.parametrize("forbidden", ["select(", "session.exec(", ".where(", "def can_see", "def running_kinds",
                                        "def deadline_state", "def visible", "OPEN_STATUSES"])
def test_the_page_layer_holds_no_query_and_no_ticket_rule(forbidden):
    offenders = [str(p.relative_to(ROOT)) for p, code in _code_without_docstrings(DISPATCH / "web")
                 if forbidden in code]
    assert offenders == []


def test_no_file_cites_a_domain_document_outside_the_repository():
    cited = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
             if p.is_file() and p.suffix in (".py", ".md", ".toml", ".js", ".html")
             and not {".git", ".venv", "node_modules", "build"} & set(p.relative_to(ROOT).parts)
             and "DOMAIN.md" in p.read_text(encoding="utf-8", errors="ignore")
             and p.name != "test_architecture.py"]
    assert cited == []
