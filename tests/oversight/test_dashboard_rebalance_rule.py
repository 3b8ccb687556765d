"""The rebalancing rule (oversight.rebalance.suggest_moves) as a plain function: table-driven, no database."""

import pytest

from oversight.rebalance import Carer, Family, suggest_moves

MAXIMUM = 5


def families_of(facilitator: int, layout: str) -> list[Family]:
    """`layout` is one letter per family: its kelurahan (a, b, c …); upper case = held (open case or proposal)."""
    return [
        Family(pk=facilitator * 100 + index, id_kpm=f"KPM{facilitator:02d}{index:03d}", kelurahan=letter.lower(),
               facilitator=facilitator, held=letter.isupper())
        for index, letter in enumerate(layout)
    ]


def carer(pk: int, active: int, covers: str = "", can_receive: bool = True) -> Carer:
    return Carer(pk=pk, active=active, kelurahan=frozenset(covers), can_receive=can_receive)


def summary(plan):
    """(source, target, families moved, in a kelurahan the target covers, held) per move."""
    return [(m.source, m.target, m.count, m.covered, m.held) for m in plan.moves]


CASES = {
    "nobody above the norm: nothing to do": (
        [carer(1, 5), carer(2, 3)], {1: "aaaaa", 2: "bbb"},
        [], {},
    ),
    "the excess goes to the facilitator below the norm": (
        [carer(1, 8), carer(2, 2)], {1: "aaaaaaaa", 2: "bb"},
        [(1, 2, 3, 0, 0)], {},
    ),
    "the excess is spread: the least loaded receives most, nobody ends above the other by more than one": (
        [carer(1, 10), carer(2, 1), carer(3, 3)], {1: "aaaaaaaaaa"},
        [(1, 2, 4, 0, 0), (1, 3, 1, 0, 0)], {},
    ),
    "families of a kelurahan the receiver already covers go first": (
        [carer(1, 7), carer(2, 2, covers="c")], {1: "aaaaccc"},
        [(1, 2, 2, 2, 0)], {},
    ),
    "the receiver covering the kelurahan is preferred when both have room": (
        [carer(1, 6), carer(2, 3), carer(3, 3, covers="b")], {1: "aaaaab"},
        [(1, 3, 1, 1, 0)], {},
    ),
    "families with a case or a proposal stay when others can move": (
        [carer(1, 7), carer(2, 0)], {1: "AAaaaAa"},
        [(1, 2, 2, 0, 0)], {},
    ),
    "families with a case or a proposal move only when nothing else is left, and the move says so": (
        [carer(1, 7), carer(2, 0)], {1: "AAAAAaB"},
        [(1, 2, 2, 0, 1)], {},
    ),
    "no room in the city: nothing moves and the excess is reported": (
        [carer(1, 8), carer(2, 5), carer(3, 5)], {1: "aaaaaaaa"},
        [], {1: 3},
    ),
    "only part of the excess fits": (
        [carer(1, 9), carer(2, 3)], {1: "aaaaaaaaa"},
        [(1, 2, 2, 0, 0)], {1: 2},
    ),
    "a facilitator who may not receive (another city, inactive account) gets nothing": (
        [carer(1, 7), carer(2, 0, can_receive=False), carer(3, 4)], {1: "aaaaaaa"},
        [(1, 3, 1, 0, 0)], {1: 1},
    ),
    "the largest excess is served first when room is short": (
        [carer(1, 7), carer(2, 9), carer(3, 3)], {1: "aaaaaaa", 2: "bbbbbbbbb"},
        [(2, 3, 2, 0, 0)], {2: 2, 1: 2},
    ),
    "two facilitators above the norm share the receivers; the kelurahan a receiver covers goes to it": (
        [carer(1, 7), carer(2, 6, covers="x"), carer(3, 2), carer(4, 1, covers="x")], {1: "aaaaaaa", 2: "xxxxxx"},
        [(1, 3, 1, 0, 0), (1, 4, 1, 0, 0), (2, 4, 1, 1, 0)], {},
    ),
}


@pytest.mark.parametrize("carers, layouts, expected, remaining", CASES.values(), ids=CASES.keys())
def test_suggest_moves(carers, layouts, expected, remaining):
    families = [f for pk, layout in layouts.items() for f in families_of(pk, layout)]
    plan = suggest_moves(carers, families, maximum=MAXIMUM)
    assert summary(plan) == expected
    assert plan.remaining == remaining


def test_no_facilitator_ends_above_the_maximum_and_every_family_moves_once():
    carers = [carer(1, 12), carer(2, 9), carer(3, 0), carer(4, 2, covers="b"), carer(5, 4), carer(6, 0)]
    families = families_of(1, "aabbbbccAAAA") + families_of(2, "bbbbbbbbb")
    plan = suggest_moves(carers, families, maximum=MAXIMUM)
    after = {c.pk: c.active for c in carers}
    moved = [pk for move in plan.moves for pk in move.households]
    for move in plan.moves:
        after[move.source] -= move.count
        after[move.target] += move.count
    assert len(moved) == len(set(moved))
    assert all(load <= MAXIMUM for load in after.values())
    assert sum(after.values()) == sum(c.active for c in carers)
    assert plan.remaining == {}
    held_moved = [pk for pk in moved if pk in {f.pk for f in families if f.held}]
    assert held_moved == []  # 8 free families cover facilitator 1's excess of 7


def test_the_same_input_gives_the_same_moves():
    carers = [carer(1, 9), carer(2, 1, covers="b"), carer(3, 2)]
    families = families_of(1, "abcabcabc")
    first = suggest_moves(carers, families, maximum=MAXIMUM)
    assert suggest_moves(list(reversed(carers)), list(reversed(families)), maximum=MAXIMUM) == first
    assert first.moves[0].target == 2 and first.moves[0].covered == 3
