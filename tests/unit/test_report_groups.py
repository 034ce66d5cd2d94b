"""Group reports (a tag or an organisation): the small-group rule and what a group's figures count.

A group of fewer than 15 members shows ``not_enough_data`` and no figure at all, not even its size,
and never appears in an export; 15 is enough. The rule is applied to each month of a group report
too, and never to a whole timebank. An organisation in its own group is not a member, so it does not
make a group big enough. A group's figures count its own members; its hours and exchanges are those
with at least one party in the group; its pair figures use only the edges touching the group; its
strongly connected component may run through people outside the group.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from tests.unit.test_report_inputs import MARCH, Person, aggregate, helped
from timebank.reports.inputs import OrganisationGroup, ParticipantKind, TagGroup
from timebank.reports.report import GROUP_MEMBERS_MINIMUM, build_report, may_export
from timebank.reports.report_json import report_json

YOUTH = TagGroup("youth")
OUTSIDERS = (100, 101)


def group_of(size: int, joined_on: dict[int, date] | None = None) -> list[Person]:
    joined_on = joined_on or {}
    members = [Person(i, joined_on=joined_on.get(i)) for i in range(1, size + 1)]
    return members + [Person(i, in_group=False) for i in OUTSIDERS]


def test_the_minimum_is_fifteen_members() -> None:
    assert GROUP_MEMBERS_MINIMUM == 15


def test_a_group_of_fourteen_shows_not_enough_data_and_nothing_else() -> None:
    inputs = aggregate(group_of(14), [helped(date(2024, 3, 4), 1, 2, 60)], *MARCH, group=YOUTH)

    report = build_report(inputs)

    assert report.not_enough_data
    assert report.figures is None
    assert report_json(report) == {"not_enough_data": True}
    assert not may_export(report)


def test_a_group_of_fifteen_shows_its_figures_and_may_be_exported() -> None:
    inputs = aggregate(group_of(15), [helped(date(2024, 3, 4), 1, 2, 60)], *MARCH, group=YOUTH)

    report = build_report(inputs)

    assert report.figures is not None
    assert report.figures.headline.members == 15  # the two outsiders are not the group's
    assert may_export(report)
    assert report_json(report)["members"] == 15


def test_a_whole_timebank_shows_its_figures_however_small() -> None:
    report = build_report(aggregate([Person(1), Person(2)], [helped(date(2024, 3, 4), 1, 2, 60)], *MARCH))

    assert report.figures is not None
    assert may_export(report)


def test_an_organisation_does_not_count_towards_its_groups_size() -> None:
    people = [Person(i) for i in range(1, 15)] + [Person(50, kind=ParticipantKind.ORGANISATION)]

    report = build_report(aggregate(people, [], *MARCH, group=OrganisationGroup(7)))

    assert report.not_enough_data


def test_the_minimum_can_be_set_but_not_below_one() -> None:
    inputs = aggregate(group_of(5), [], *MARCH, group=YOUTH)

    assert build_report(inputs, group_minimum=5).figures is not None
    assert build_report(inputs, group_minimum=6).figures is None
    for wrong in (0, -3, True):
        with pytest.raises(ValueError):
            build_report(inputs, group_minimum=wrong)


def test_a_month_of_a_group_with_fewer_than_fifteen_members_is_withheld() -> None:
    # Member 15 joins on 10 April: fifteen members in the window and in April, fourteen in March.
    window = (date(2024, 3, 1), date(2024, 5, 1))
    inputs = aggregate(
        group_of(15, joined_on={15: date(2024, 4, 10)}),
        [helped(date(2024, 3, 4), 1, 2, 60), helped(date(2024, 4, 20), 15, 1, 30)],
        *window,
        group=YOUTH,
    )

    report = build_report(inputs)
    assert report.figures is not None
    march, april = report.figures.monthly

    assert march.headline is None
    assert not may_export(march)
    assert april.headline is not None
    assert april.headline.members == 15
    assert may_export(april)
    document = report_json(report)
    assert isinstance(document["monthly"], list)
    assert document["monthly"][0] == {"month": "2024-03", "not_enough_data": True}


def test_the_months_of_a_whole_timebank_are_never_withheld() -> None:
    report = build_report(aggregate([Person(1)], [], *MARCH))

    assert report.figures is not None
    assert all(may_export(month) for month in report.figures.monthly)


def test_a_groups_figures_count_help_that_touches_the_group_and_components_through_outsiders() -> None:
    # In the group: 1..15. Outside: 100 and 101.
    # 1 → 100 → 2 → 1 is a cycle through an outsider; 100 ⇄ 101 is help between outsiders only.
    exchanges = [
        helped(date(2024, 3, 2), 1, 100, 60),
        helped(date(2024, 3, 3), 100, 2, 30),
        helped(date(2024, 3, 4), 2, 1, 30),
        helped(date(2024, 3, 5), 100, 101, 45),
        helped(date(2024, 3, 6), 101, 100, 45),
        helped(date(2024, 3, 7), 3, 4, 20),
    ]
    report = build_report(aggregate(group_of(15), exchanges, *MARCH, group=YOUTH))
    f = report.figures
    assert f is not None
    h = f.headline

    # Exchanges and minutes with a party in the group: 60 + 30 + 30 + 20; the outsiders' 90 do not count.
    assert (h.exchanges, h.total_minutes) == (4, 140)
    assert (h.members, h.active_members) == (15, 4)
    assert f.hours_matrix.total_minutes == 140
    # Edges touching the group: 1→100, 100→2, 2→1, 3→4; none returned. The outsiders' pair
    # 100 ⇄ 101 is returned both ways but is not the group's.
    assert f.pair_reciprocity == 0
    assert f.weighted_reciprocity == 0
    # The component {1, 100, 2, 101} holds group members 1 and 2, of the active 1, 2, 3, 4.
    assert h.largest_scc_share.value == Fraction(1, 2)
    # Member 1 gave 60 to an outsider and received 30 from 2: given and received count help with anyone.
    assert f.role_mix.both == 2  # 1 and 2
    assert f.median_partners == Fraction(3, 2)  # 1: {100, 2}, 2: {100, 1}, 3: {4}, 4: {3}
