"""Hand-computed reports (timebank.reports.build_report and report_json), key by key, with no database.

Five timebanks, each small enough to work out on paper, with the arithmetic in the comments:

- an empty window (no accounts at all) and a quiet one (members, no exchanges): every ratio is null,
  never 0 and never a division error, except the active rate of a quiet window, which is 0;
- a single member, alone and then trading with an organisation;
- all one-way (givers and receivers, no pair returned) and all reciprocal (every pair returned);
- a mixed timebank of eight members, one of them staff, and an organisation over March and April
  2024, with history before the window, for which every key of the report is written out.

The JSON of the empty and the mixed reports is compared whole, so a key that goes missing, appears
or changes its unit fails here; both are rated against the defaults and say so.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

from tests.unit.test_report_inputs import MARCH, Help, Person, aggregate, helped
from timebank.reports.inputs import ApartTotals, ParticipantKind, ReportedApart
from timebank.reports.ratings import Rating
from timebank.reports.report import Figures, build_report
from timebank.reports.report_json import HEADLINE_KEYS, REPORT_KEYS, report_json

MEMBER, STAFF, ORGANISATION = ParticipantKind.MEMBER, ParticipantKind.STAFF, ParticipantKind.ORGANISATION
RED, AMBER, GREEN = Rating.RED, Rating.AMBER, Rating.GREEN

ISSUE_KEYS = {
    "members",
    "active_members",
    "active_rate",
    "exchanges",
    "hours",
    "median_hours_per_active_member",
    "top20_share",
    "gini_given",
    "role_mix",
    "two_way_rate",
    "give_and_get_index",
    "uses_services_giving_rate",
    "uses_services_give_get_ratio",
    "hours_matrix",
    "balance_distribution",
    "pair_reciprocity",
    "pair_reciprocity_corrected",
    "weighted_reciprocity",
    "largest_scc_share",
    "median_partners",
    "new_ties",
    "retention",
    "dormant_members",
    "monthly",
}


def figures_of(people: list[Person], exchanges: list[Help], window: tuple[date, date] = MARCH) -> Figures:
    report = build_report(aggregate(people, exchanges, *window))
    assert report.figures is not None
    return report.figures


def null_rated() -> dict[str, object]:
    return {"value": None, "rating": None}


GIVE_SHARE_BINS = ("0-10", "10-20", "20-30", "30-40", "40-50", "50-60", "60-70", "70-80", "80-90", "90-100")


# The issue's defaults, as the report states the thresholds it was rated against.
DEFAULT_THRESHOLDS_JSON = {
    "active_rate": {"amber_from_percent": 20, "green_from_percent": 50},
    "two_way_rate": {"amber_from_percent": 25, "green_from_percent": 50},
    "uses_services_giving_rate": {"amber_from_percent": 25, "green_from_percent": 60},
    "top20_share": {"green_below_percent": 60, "red_above_percent": 80},
    "largest_scc_share": {"amber_from_percent": 20, "green_from_percent": 50},
}


def zero_matrix() -> dict[str, dict[str, float]]:
    kinds = ("member", "staff", "organisation")
    return {giver: dict.fromkeys(kinds, 0.0) for giver in kinds}


# --- the empty window --------------------------------------------------------------------------


def test_the_report_has_the_issues_keys_and_only_the_trade_filter_give_share_and_thresholds_besides() -> None:
    additions = ("reported_apart", "give_share_histogram", "rating_thresholds")
    assert set(REPORT_KEYS) == ISSUE_KEYS | set(additions)
    # The issue's keys come first, in the issue's order; the three additions follow them.
    assert REPORT_KEYS[-3:] == additions


def test_an_empty_window_counts_zero_and_leaves_every_ratio_null() -> None:
    report = build_report(aggregate([], [], *MARCH))

    assert report_json(report) == {
        "members": 0,
        "active_members": 0,
        "active_rate": null_rated(),
        "exchanges": 0,
        "hours": 0.0,
        "median_hours_per_active_member": None,
        "top20_share": null_rated(),
        "gini_given": None,
        "role_mix": {"both": 0, "give_only": 0, "receive_only": 0, "inactive": 0},
        "two_way_rate": null_rated(),
        "give_and_get_index": None,
        "uses_services_giving_rate": null_rated(),
        "uses_services_give_get_ratio": None,
        "hours_matrix": zero_matrix(),
        "balance_distribution": {
            "above_zero_share": None,
            "at_zero_share": None,
            "below_zero_share": None,
            "median_balance_hours": None,
            "at_floor_count": 0,
        },
        "pair_reciprocity": None,
        "pair_reciprocity_corrected": None,
        "weighted_reciprocity": None,
        "largest_scc_share": null_rated(),
        "median_partners": None,
        "new_ties": 0,
        "retention": None,
        "dormant_members": 0,
        "monthly": [
            {
                "month": "2024-03",
                "members": 0,
                "active_members": 0,
                "active_rate": null_rated(),
                "exchanges": 0,
                "hours": 0.0,
                "two_way_rate": null_rated(),
                "uses_services_giving_rate": null_rated(),
                "top20_share": null_rated(),
                "largest_scc_share": null_rated(),
            }
        ],
        "reported_apart": {
            "recognition": {"count": 0, "hours": 0.0},
            "pot_grants": {"count": 0, "hours": 0.0},
            "reversed_exchanges": {"count": 0, "hours": 0.0},
        },
        "give_share_histogram": dict.fromkeys(GIVE_SHARE_BINS, 0),
        "rating_thresholds": DEFAULT_THRESHOLDS_JSON,
    }


def test_a_quiet_window_has_an_active_rate_of_zero_and_nothing_per_active_member() -> None:
    # A and B exchanged once in 2023; C never has. Nobody exchanged in March.
    f = figures_of([Person(1), Person(2), Person(3)], [helped(date(2023, 1, 10), 1, 2, 60)])
    h = f.headline

    assert (h.members, h.active_members, h.exchanges, h.total_minutes) == (3, 0, 0, 0)
    assert h.active_rate.value == 0  # 0 of 3 members: a real zero, and red
    assert h.active_rate.rating is RED
    for rated in (h.two_way_rate, h.uses_services_giving_rate, h.top20_share, h.largest_scc_share):
        assert rated.value is None
        assert rated.rating is None
    assert f.median_minutes_per_active_member is None
    assert f.gini_given is None
    assert f.give_and_get_index is None  # H = 0
    assert f.median_partners is None
    assert f.retention is None  # nobody was active in February either
    # A is +60, B is −60, C is 0: a third each; the median is C's 0.
    assert f.balance_distribution.above_zero_share == Fraction(1, 3)
    assert f.balance_distribution.at_zero_share == Fraction(1, 3)
    assert f.balance_distribution.below_zero_share == Fraction(1, 3)
    assert f.balance_distribution.median_balance_minutes == 0
    # A and B last exchanged in January 2023, C never: all three dormant at 1 April 2024.
    assert f.dormant_members == 3
    assert f.role_mix.inactive == 3


# --- a single member ---------------------------------------------------------------------------


def test_a_single_member_alone_is_inactive_and_dormant() -> None:
    f = figures_of([Person(1)], [])

    assert f.headline.members == 1
    assert f.headline.active_rate.value == 0
    assert f.role_mix.inactive == 1
    assert f.dormant_members == 1
    assert f.balance_distribution.at_zero_share == 1
    assert f.pair_reciprocity is None


def test_a_single_member_trading_with_an_organisation() -> None:
    # A gives the organisation an hour on 4 March and gets 30 minutes back on 10 March.
    a, o = 1, 9
    f = figures_of(
        [Person(a), Person(o, kind=ORGANISATION)],
        [helped(date(2024, 3, 4), a, o, 60), helped(date(2024, 3, 10), o, a, 30)],
    )
    h = f.headline

    assert (h.members, h.active_members, h.exchanges, h.total_minutes) == (1, 1, 2, 90)
    assert (h.active_rate.value, h.active_rate.rating) == (1, GREEN)
    assert (h.two_way_rate.value, h.two_way_rate.rating) == (1, GREEN)
    # One active member: the top 20% is ceil(1/5) = 1 member, holding all 60 minutes given.
    assert (h.top20_share.value, h.top20_share.rating) == (1, RED)
    assert f.gini_given == 0
    assert f.median_minutes_per_active_member == 90
    assert f.give_and_get_index == Fraction(30, 90)  # min(60, 30) / 90
    assert f.hours_matrix.minutes_between(MEMBER, ORGANISATION) == 60
    assert f.hours_matrix.minutes_between(ORGANISATION, MEMBER) == 30
    assert f.pair_reciprocity == 1  # A→O and O→A, both returned
    # N = 2 nodes, L = 2 edges: ā = 2/(2·1) = 1, every possible edge exists, so ρ has no value.
    assert f.pair_reciprocity_corrected is None
    assert f.weighted_reciprocity == Fraction(30 + 30, 90)
    # {A, O} is one strongly connected component; it holds A, the one active member.
    assert (h.largest_scc_share.value, h.largest_scc_share.rating) == (1, GREEN)
    assert f.median_partners == 1
    assert f.new_ties == 2
    assert f.balance_distribution.above_zero_share == 1  # 60 − 30 = +30


# --- all one-way, all reciprocal ---------------------------------------------------------------


def test_all_one_way() -> None:
    # Givers A and B; receivers C and D. No pair is returned.
    a, b, c, d = 1, 2, 3, 4
    f = figures_of(
        [Person(a), Person(b), Person(c), Person(d)],
        [
            helped(date(2024, 3, 4), a, c, 60),
            helped(date(2024, 3, 5), a, d, 30),
            helped(date(2024, 3, 6), b, c, 90),
        ],
    )
    h = f.headline

    assert (h.active_members, h.total_minutes) == (4, 180)
    assert (f.role_mix.both, f.role_mix.give_only, f.role_mix.receive_only, f.role_mix.inactive) == (
        0,
        2,
        2,
        0,
    )
    assert (h.two_way_rate.value, h.two_way_rate.rating) == (0, RED)
    assert f.give_and_get_index == 0  # every min(given, received) is 0
    # Given: A 90, B 90, C 0, D 0. Top ceil(4/5) = 1: 90 of 180.
    assert (h.top20_share.value, h.top20_share.rating) == (Fraction(1, 2), GREEN)
    # Sorted 0, 0, 90, 90; coefficients −3, −1, 1, 3: (90 + 270) / (4 × 180) = 1/2.
    assert f.gini_given == Fraction(1, 2)
    # Given + received: A 90, B 90, C 150, D 30 → sorted 30, 90, 90, 150 → median 90.
    assert f.median_minutes_per_active_member == 90
    assert f.pair_reciprocity == 0
    # N = 4, L = 3: ā = 3/12 = 1/4; ρ = (0 − 1/4)/(1 − 1/4) = −1/3: less reciprocal than chance.
    assert f.pair_reciprocity_corrected == Fraction(-1, 3)
    assert f.weighted_reciprocity == 0
    # No cycle anywhere: every component is one node, and none counts.
    assert (h.largest_scc_share.value, h.largest_scc_share.rating) == (0, RED)
    # Partners: A 2, B 1, C 2, D 1 → sorted 1, 1, 2, 2 → 3/2.
    assert f.median_partners == Fraction(3, 2)
    assert f.new_ties == 3


def test_all_reciprocal() -> None:
    # A and B swap an hour each way; B and C swap half an hour each way.
    a, b, c = 1, 2, 3
    f = figures_of(
        [Person(a), Person(b), Person(c)],
        [
            helped(date(2024, 3, 4), a, b, 60),
            helped(date(2024, 3, 5), b, a, 60),
            helped(date(2024, 3, 6), b, c, 30),
            helped(date(2024, 3, 7), c, b, 30),
        ],
    )
    h = f.headline

    assert (h.exchanges, h.total_minutes) == (4, 180)
    assert (h.two_way_rate.value, h.two_way_rate.rating) == (1, GREEN)
    # min(60, 60) + min(90, 90) + min(30, 30) = 180 of 180.
    assert f.give_and_get_index == 1
    assert f.pair_reciprocity == 1
    # N = 3, L = 4: ā = 4/6 = 2/3; ρ = (1 − 2/3)/(1 − 2/3) = 1.
    assert f.pair_reciprocity_corrected == 1
    assert f.weighted_reciprocity == 1
    assert (h.largest_scc_share.value, h.largest_scc_share.rating) == (1, GREEN)
    # Given: C 30, A 60, B 90; coefficients −2, 0, 2: (−60 + 180) / (3 × 180) = 2/9.
    assert f.gini_given == Fraction(2, 9)
    # Top ceil(3/5) = 1 member: B's 90 of 180.
    assert (h.top20_share.value, h.top20_share.rating) == (Fraction(1, 2), GREEN)
    assert f.median_partners == 1  # A 1, B 2, C 1
    assert f.balance_distribution.at_zero_share == 1  # everyone got back what they gave


# --- the mixed timebank ------------------------------------------------------------------------

# Members A to G, S (staff), and the organisation O (ORG in code).
A, B, C, D, E, F, G, S, ORG = 1, 2, 3, 4, 5, 6, 7, 8, 9
MARCH_AND_APRIL = (date(2024, 3, 1), date(2024, 5, 1))

MIXED_PEOPLE = [
    Person(A, uses_services=True),
    Person(B),
    Person(C, uses_services=True),
    Person(D, floor_minutes=-105),
    Person(E, uses_services=True),
    Person(F),
    Person(G, uses_services=True),
    Person(S, kind=STAFF),
    Person(ORG, kind=ORGANISATION),
]

MIXED_EXCHANGES = [
    # History. The window is 61 days, so the previous window is [31 December 2023, 1 March 2024).
    helped(date(2023, 6, 1), E, F, 60),  # E's last exchange: dormant by 1 May 2024
    helped(date(2023, 12, 30), D, C, 15),  # the day before the previous window: C, D not active in it
    helped(date(2024, 1, 15), F, A, 60),  # F and A active in the previous window
    helped(date(2024, 2, 1), A, B, 30),  # B too; and A→B is not a new tie in March
    # March.
    helped(date(2024, 3, 5), A, B, 60),
    helped(date(2024, 3, 10), B, A, 30),
    helped(date(2024, 3, 12), B, C, 90),
    helped(date(2024, 3, 20), C, D, 120),
    # April.
    helped(date(2024, 4, 2), D, B, 60),
    helped(date(2024, 4, 5), S, A, 45),
    helped(date(2024, 4, 10), A, ORG, 30),
    Help(date(2024, 4, 15), ORG, ((C, 60), (D, 60))),  # one exchange, two receivers
    helped(date(2024, 4, 20), C, B, 30),
    helped(date(2024, 4, 25), C, G, 30),
]

MIXED_APART = ReportedApart(
    recognition=ApartTotals(count=2, minutes=120),
    pot_grants=ApartTotals(count=1, minutes=60),
    reversed_exchanges=ApartTotals(count=1, minutes=30),
)


def mixed_report_json() -> dict[str, object]:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, reported_apart=MIXED_APART)
    return report_json(build_report(inputs))


def test_the_mixed_timebanks_totals_are_what_the_storage_layer_must_produce() -> None:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL)
    rows = {
        a.account_id: (
            a.given_minutes,
            a.received_minutes,
            a.exchange_count,
            a.partner_count,
            a.balance_minutes,
            a.last_exchange_on,
            a.active_in_previous_window,
        )
        for a in inputs.accounts
    }

    # Balances take in the history: A 90 + 30 given, 75 + 60 received → −15; D 60 + 15 − 180 → −105.
    assert rows == {
        A: (90, 75, 4, 3, -15, date(2024, 4, 10), True),
        B: (120, 150, 5, 3, -60, date(2024, 4, 20), True),
        C: (180, 150, 5, 4, 15, date(2024, 4, 25), False),
        D: (60, 180, 3, 3, -105, date(2024, 4, 15), False),
        E: (0, 0, 0, 0, 60, date(2023, 6, 1), False),
        F: (0, 0, 0, 0, 0, date(2024, 1, 15), True),
        G: (0, 30, 1, 1, -30, date(2024, 4, 25), False),
        S: (45, 0, 1, 1, 45, date(2024, 4, 5), False),
        ORG: (120, 30, 2, 3, 90, date(2024, 4, 15), False),
    }
    assert sum(row[4] for row in rows.values()) == 0  # balances sum to zero (L2)
    assert inputs.exchange_count == 10  # 11 pairs of help, one exchange with two receivers


def test_the_mixed_timebank_every_key() -> None:
    # Members: A B C D E F G S (S is staff); O is an organisation, never a member.
    # H = given by A 90 + B 120 + C 180 + D 60 + S 45 + O 120 = 615 minutes = 10.25 hours.
    # Active: A B C D G S (6 of 8); E and F did nothing in the window.
    expected = {
        "members": 8,
        "active_members": 6,
        "active_rate": {"value": 6 / 8, "rating": "green"},
        "exchanges": 10,
        "hours": 615 / 60,
        # Given + received: G 30, S 45, A 165, D 240, B 270, C 330 → (165 + 240)/2 = 202.5 minutes.
        "median_hours_per_active_member": 202.5 / 60,
        # Given by active members: C 180, B 120, A 90, D 60, S 45, G 0 = 495. Top ceil(6/5) = 2:
        # 180 + 120 = 300; 300/495 = 20/33 = 60.6%, amber (60% ≤ x ≤ 80%).
        "top20_share": {"value": 20 / 33, "rating": "amber"},
        # Sorted 0, 45, 60, 90, 120, 180 with −5, −3, −1, 1, 3, 5: −135 − 60 + 90 + 360 + 900 = 1155;
        # 1155 / (6 × 495) = 1155/2970 = 7/18.
        "gini_given": 7 / 18,
        # Both: A B C D. Give only: S. Receive only: G. Inactive: E F.
        "role_mix": {"both": 4, "give_only": 1, "receive_only": 1, "inactive": 2},
        "two_way_rate": {"value": 4 / 6, "rating": "green"},
        # min(g, r): A 75, B 120, C 150, D 60, others 0 → 405; 405/615 = 27/41.
        "give_and_get_index": 27 / 41,
        # Tagged uses_services: A C E G; active among them A C G; A and C gave: 2/3 ≥ 60%, green.
        "uses_services_giving_rate": {"value": 2 / 3, "rating": "green"},
        # Given A 90 + C 180 = 270; received A 75 + C 150 + G 30 = 255; 270/255 = 18/17.
        "uses_services_give_get_ratio": 18 / 17,
        # Member → member: 60 + 30 + 90 + 120 + 60 + 30 + 30 = 420; member → organisation: A→O 30;
        # staff → member: S→A 45; organisation → member: O→C 60 + O→D 60 = 120. 420+30+45+120 = 615.
        "hours_matrix": {
            "member": {"member": 420 / 60, "staff": 0.0, "organisation": 30 / 60},
            "staff": {"member": 45 / 60, "staff": 0.0, "organisation": 0.0},
            "organisation": {"member": 120 / 60, "staff": 0.0, "organisation": 0.0},
        },
        # Balances: D −105, B −60, G −30, A −15, F 0, C 15, S 45, E 60. Above 3, at 1, below 4 of 8;
        # median (−15 + 0)/2 = −7.5 minutes; D sits at its floor of −105.
        "balance_distribution": {
            "above_zero_share": 3 / 8,
            "at_zero_share": 1 / 8,
            "below_zero_share": 4 / 8,
            "median_balance_hours": -7.5 / 60,
            "at_floor_count": 1,
        },
        # Edges (11): A→B B→A B→C C→B C→D D→B S→A A→O O→C O→D C→G. Returned: A↔B, B↔C → 4/11.
        "pair_reciprocity": 4 / 11,
        # N = 7 nodes (A B C D G S O), L = 11: ā = 11/42; ρ = (4/11 − 11/42)/(31/42) = 47/341.
        "pair_reciprocity_corrected": 47 / 341,
        # Σ min(w_ij, w_ji): A→B 30, B→A 30, B→C 30, C→B 30 = 120 of 615 = 8/41.
        "weighted_reciprocity": 8 / 41,
        # One component with a cycle: A→B→A, B→C→B, C→D→B, A→O→C → {A, B, C, D, O}. Its members
        # A B C D are 4 of the 6 active; S (gives only) and G (receives only) are on no cycle.
        "largest_scc_share": {"value": 4 / 6, "rating": "green"},
        # Partners of active members: G 1, S 1, A 3, B 3, D 3, C 4 → (3 + 3)/2 = 3.
        "median_partners": 3.0,
        # Every edge but A→B (first given on 1 February) is first given in the window.
        "new_ties": 10,
        # Active in the previous window: A B F; still active: A B → 2/3.
        "retention": 2 / 3,
        # The cut-off is 1 May 2024 − 180 days = 3 November 2023: only E (June 2023) is before it.
        "dormant_members": 1,
        "monthly": [
            {
                "month": "2024-03",
                "members": 8,
                # A B C D active: exactly half, which is green.
                "active_members": 4,
                "active_rate": {"value": 4 / 8, "rating": "green"},
                "exchanges": 4,
                "hours": (60 + 30 + 90 + 120) / 60,
                # A (60, 30) B (120, 60) C (120, 90) gave and received; D only received: 3/4.
                "two_way_rate": {"value": 3 / 4, "rating": "green"},
                # Tagged and active: A C; both gave.
                "uses_services_giving_rate": {"value": 1.0, "rating": "green"},
                # Top ceil(4/5) = 1: 120 (B or C, a tie) of 300.
                "top20_share": {"value": 120 / 300, "rating": "green"},
                # {A, B} is the one cycle; C→D leads nowhere back: 2 of 4, exactly half, green.
                "largest_scc_share": {"value": 2 / 4, "rating": "green"},
            },
            {
                "month": "2024-04",
                "members": 8,
                # A B C D G S active.
                "active_members": 6,
                "active_rate": {"value": 6 / 8, "rating": "green"},
                "exchanges": 6,
                "hours": (60 + 45 + 30 + 120 + 30 + 30) / 60,
                # Both: A (30, 45), C (60, 60), D (60, 60); B and G only received; S only gave: 3/6.
                "two_way_rate": {"value": 3 / 6, "rating": "green"},
                # Tagged and active: A C G; A and C gave.
                "uses_services_giving_rate": {"value": 2 / 3, "rating": "green"},
                # Given: C 60, D 60, S 45, A 30, B 0, G 0 = 195; top 2: 120/195 = 8/13 = 61.5%.
                "top20_share": {"value": 8 / 13, "rating": "amber"},
                # No cycle in April: B, which receives from C and D, gives nothing back.
                "largest_scc_share": {"value": 0.0, "rating": "red"},
            },
        ],
        "reported_apart": {
            "recognition": {"count": 2, "hours": 2.0},
            "pot_grants": {"count": 1, "hours": 1.0},
            "reversed_exchanges": {"count": 1, "hours": 0.5},
        },
        # Given ÷ (given + received) of each active member, in tenths:
        # G 0/30 = 0% → 0-10; D 60/240 = 25% → 20-30; B 120/270 = 44.4% → 40-50;
        # A 90/165 = 54.5% and C 180/330 = 54.5% → 50-60; S 45/45 = 100% → 90-100. Six in all.
        "give_share_histogram": {
            "0-10": 1,
            "10-20": 0,
            "20-30": 1,
            "30-40": 0,
            "40-50": 1,
            "50-60": 2,
            "60-70": 0,
            "70-80": 0,
            "80-90": 0,
            "90-100": 1,
        },
        "rating_thresholds": DEFAULT_THRESHOLDS_JSON,
    }

    assert mixed_report_json() == expected


def test_the_mixed_report_keeps_exact_fractions_inside() -> None:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL)
    f = build_report(inputs).figures
    assert f is not None

    assert f.headline.top20_share.value == Fraction(20, 33)
    assert f.gini_given == Fraction(7, 18)
    assert f.pair_reciprocity_corrected == Fraction(47, 341)
    assert f.median_minutes_per_active_member == Fraction(405, 2)
    assert f.balance_distribution.median_balance_minutes == Fraction(-15, 2)
    assert f.headline.total_minutes == 615
    assert f.give_share_histogram.counts == (1, 0, 1, 0, 1, 2, 0, 0, 0, 1)


def test_the_json_is_plain_json_in_the_issues_order() -> None:
    document = mixed_report_json()

    assert tuple(document) == REPORT_KEYS
    monthly = document["monthly"]
    assert isinstance(monthly, list)
    assert all(tuple(month) == ("month", *HEADLINE_KEYS) for month in monthly)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
