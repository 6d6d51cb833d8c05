"""GeoReport v2 errors: always a list of {code, description}; 404 missing, 403 api_key, 400 anything else."""
from __future__ import annotations


class Open311Error(Exception):
    """One or more errors answered with one HTTP status; `code` in the body is that status."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)

    def body(self) -> list[dict]:
        """The spec's error list: [{"code": 400, "description": "..."}, ...]."""
        return [{"code": self.status, "description": d} for d in self.descriptions]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)


def forbidden(description: str) -> Open311Error:
    return Open311Error(403, description)
