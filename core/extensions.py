"""Extension points: apps add panels to the household page, sections to the facilitator's day and
cards to the city overview.

Each app registers in its AppConfig.ready(). A context function gets (user, household or None,
today) and returns the template context of its part; it must run a fixed number of queries
whatever the caseload size (the pages assert their query counts).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    key: str
    template: str
    context: Callable
    order: int = 100


HOUSEHOLD_PANELS: list[Part] = []
DAY_SECTIONS: list[Part] = []
CITY_CARDS: list[Part] = []


def _register(registry: list[Part], part: Part) -> None:
    registry[:] = sorted([p for p in registry if p.key != part.key] + [part], key=lambda p: (p.order, p.key))


def register_household_panel(key: str, template: str, context: Callable, order: int = 100) -> None:
    """`context(user, household, today) -> dict`, shown on the household page below the members."""
    _register(HOUSEHOLD_PANELS, Part(key, template, context, order))


def register_day_section(key: str, template: str, context: Callable, order: int = 100) -> None:
    """`context(user, today) -> dict`, shown on the facilitator's day page ("Hari ini")."""
    _register(DAY_SECTIONS, Part(key, template, context, order))


def register_city_card(key: str, template: str, context: Callable, order: int = 100) -> None:
    """`context(user, city, cities, today) -> dict`, shown on the city overview (the coordinator's home)."""
    _register(CITY_CARDS, Part(key, template, context, order))


def render_parts(registry: list[Part], *args) -> list[tuple[str, dict]]:
    return [(part.template, part.context(*args)) for part in registry]
