"""Key figures on the organiser's overview: each feature registers what it counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    endpoint: str | None = None  # a page of the organiser area (takes `slug`)


_providers: list[tuple[int, Callable]] = []


def register(provider: Callable, order: int = 50) -> None:
    """provider(event) -> list[Figure]; features call this from their init_app."""
    if all(p is not provider for _o, p in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])


def figures(event) -> list[Figure]:
    return [figure for _order, provider in _providers for figure in provider(event)]
