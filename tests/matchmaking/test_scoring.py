"""Matchmaking scores: reciprocal, explained, found across policy frameworks."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from importlib import resources

import pytest

from expo.matchmaking.crosswalk import DEFAULT_LINKS, FRAMEWORKS, seeded_parts
from expo.matchmaking.scoring import (
    ASEAN_COUNTRIES,
    INSTRUMENTS,
    INVESTOR_SIDE,
    MALAYSIAN_STATES,
    PROJECT_SIDE,
    STAGES,
    InvestorProfile,
    PolicyGraph,
    ProjectProfile,
    explain,
    format_money,
    format_money_range,
    score_all,
)

PART_ID = {key: n for n, key in enumerate(seeded_parts(), start=1)}
GRAPH = PolicyGraph.from_crosswalk(PART_ID)
RM = 100  # sen per ringgit
MILLION = 1_000_000 * RM


def part(code: str, name: str) -> int:
    return PART_ID[(code, name)]


SMART_MOBILITY = part("MSCF", "Smart Mobility")
BUILT_INFRASTRUCTURE = part("ASCN", "Built Infrastructure")
HEALTH = part("ASCN", "Health & Well-being")
SMART_ECONOMY = part("MSCF", "Smart Economy")


def project(project_id: int = 1, **changes: object) -> ProjectProfile:
    """A Penang bus-priority pilot seeking RM 12m in grants or PPP."""
    defaults: dict[str, object] = dict(
        id=project_id,
        title="George Town bus priority corridor",
        summary="Signal priority for buses and a real-time passenger information system.",
        city="George Town",
        state="Pulau Pinang",
        country="Malaysia",
        policies={SMART_MOBILITY},
        sectors={"public transport"},
        stage="pilot",
        funding_min=12 * MILLION,
        funding_max=12 * MILLION,
        currency="MYR",
        instruments={"grant", "PPP"},
    )
    defaults.update(changes)
    return ProjectProfile(**defaults)  # type: ignore[arg-type]


def investor(investor_id: int = 1, **changes: object) -> InvestorProfile:
    """A mobility fund writing RM 5-20m grant or PPP tickets for pilots in Penang."""
    defaults: dict[str, object] = dict(
        id=investor_id,
        policies={SMART_MOBILITY},
        sectors={"public transport"},
        stages={"pilot"},
        ticket_min=5 * MILLION,
        ticket_max=20 * MILLION,
        currency="MYR",
        instruments={"grant", "PPP"},
        geographies={"Penang"},
        thesis="Bus priority, signal systems and passenger information for cities.",
    )
    defaults.update(changes)
    return InvestorProfile(**defaults)  # type: ignore[arg-type]


def listed_projects(result, investor_id: int) -> dict[int, tuple[float, tuple[str, ...]]]:
    return {m.project_id: (m.score, m.reasons) for m in result.for_investors[investor_id]}


def listed_investors(result, project_id: int) -> dict[int, tuple[float, tuple[str, ...]]]:
    return {m.investor_id: (m.score, m.reasons) for m in result.for_projects[project_id]}


# --- the reference data ------------------------------------------------------


REFERENCE = json.loads(
    resources.files("expo.data").joinpath("smart-city-reference.json").read_text("utf-8")
)


def test_seeded_frameworks_carry_the_names_of_the_reference_data():
    expected = {f["code"]: tuple(f["parts"]) for f in REFERENCE["frameworks"]}
    assert {f.code: f.parts for f in FRAMEWORKS} == expected


def test_places_known_to_the_scorer_are_those_of_the_reference_data():
    assert set(MALAYSIAN_STATES) == set(REFERENCE["malaysia_states"])
    assert set(REFERENCE["ascn_pilot_cities_2018"]) <= set(ASEAN_COUNTRIES)


def test_every_default_link_joins_seeded_parts_of_two_different_frameworks():
    parts = set(seeded_parts())
    for a, b in DEFAULT_LINKS:
        assert a in parts and b in parts, (a, b)
        assert a[0] != b[0], (a, b)


def test_every_seeded_part_has_a_link_into_the_other_frameworks():
    linked = {key for link in DEFAULT_LINKS for key in link}
    assert linked == set(seeded_parts())


# --- policies through the cross-walk -------------------------------------------


def test_investor_sees_project_tagged_in_another_framework_through_crosswalk():
    fund = investor(policies={BUILT_INFRASTRUCTURE})
    result = score_all([fund], [project(policies={SMART_MOBILITY})], GRAPH)

    score, reasons = listed_projects(result, fund.id)[1]
    assert "Smart Mobility links to Built Infrastructure (ASCN)" in reasons


def test_exact_policy_outranks_a_linked_one_which_outranks_an_unlinked_one():
    fund = investor(policies={BUILT_INFRASTRUCTURE})
    exact = project(1, policies={BUILT_INFRASTRUCTURE})
    unlinked = project(2, policies={HEALTH})
    linked = project(3, policies={SMART_MOBILITY})

    ranked = [
        m.project_id
        for m in score_all([fund], [unlinked, linked, exact], GRAPH).for_investors[fund.id]
    ]

    assert ranked == [1, 3, 2]


def test_links_are_symmetric_and_never_chained():
    graph = PolicyGraph({1: ("A", "one"), 2: ("B", "two"), 3: ("C", "three")}, [(1, 2), (2, 3)])
    assert graph.neighbours[2] == {1, 3}
    assert graph.neighbours[1] == {2}  # not 3: one hop only
    assert graph.similarity[0, 1] == graph.similarity[1, 0] == pytest.approx(0.6)
    assert graph.similarity[0, 2] == 0.0


def test_policy_graph_refuses_a_link_to_an_unknown_part():
    with pytest.raises(ValueError, match="not in the graph"):
        PolicyGraph({1: ("A", "one")}, [(1, 99)])


# --- reciprocity ----------------------------------------------------------------


def test_pair_only_one_side_likes_ranks_below_a_pair_both_sides_like_moderately():
    """Project 1 is squarely in the fund's thesis (mobility in Penang, at pilot, same words)
    but needs RM 500m of equity from a fund writing RM 5-20m grant or PPP tickets. Project
    2, a clinic queue app in Selangor, is only part of the thesis but can take the fund's
    money. Averaged, the first fits better (about 59 vs 56); reciprocally, the second."""
    fund = investor(policies={SMART_MOBILITY, HEALTH}, sectors={"public transport", "healthcare"})
    thesis_only = project(
        1, funding_min=500 * MILLION, funding_max=500 * MILLION, instruments={"equity"}
    )
    both_sides = project(
        2,
        title="Clinic queue app",
        summary="Walk-in clinics share waiting times.",
        city="Shah Alam",
        state="Selangor",
        policies={HEALTH},
        sectors={"parking"},
        stage="feasibility",
    )

    result = score_all([fund], [thesis_only, both_sides], GRAPH)

    assert [m.project_id for m in result.for_investors[fund.id]] == [2, 1]


def test_pair_with_nothing_in_common_scores_zero_and_is_not_listed():
    fund = investor(
        policies={HEALTH},
        sectors={"healthcare"},
        stages={"concept"},
        ticket_min=1 * RM,
        ticket_max=2 * RM,
        instruments={"equity"},
        geographies={"Sabah"},
        thesis="",
    )

    assert explain(fund, project(), GRAPH) == (0.0, ())
    assert score_all([fund], [project()], GRAPH).for_investors[fund.id] == []


def test_weights_of_each_side_add_up_to_one():
    assert sum(INVESTOR_SIDE.values()) == pytest.approx(1.0)
    assert sum(PROJECT_SIDE.values()) == pytest.approx(1.0)


def test_project_prefers_an_investor_focused_on_its_policy_over_a_catch_all_fund():
    catch_all = investor(1, policies=set(PART_ID.values()))
    focused = investor(2, policies={SMART_MOBILITY})

    ranked = [
        m.investor_id for m in score_all([catch_all, focused], [project()], GRAPH).for_projects[1]
    ]

    assert ranked == [2, 1]


# --- money ----------------------------------------------------------------------


def test_ticket_range_around_the_ask_is_a_reason_in_ringgit():
    _, reasons = explain(investor(), project(), GRAPH)
    assert "ticket RM 5–20m fits a RM 12m ask" in reasons


def test_ticket_just_below_the_ask_is_close_but_scores_less_than_one_that_fits():
    fits, _ = explain(investor(), project(), GRAPH)
    close, reasons = explain(
        investor(ticket_min=5 * MILLION, ticket_max=8 * MILLION), project(), GRAPH
    )
    assert "ticket RM 5–8m is close to a RM 12m ask" in reasons
    assert close < fits


def test_ticket_in_another_currency_does_not_count_without_rates():
    usd_fund = investor(currency="USD", ticket_min=1_000_000_00, ticket_max=5_000_000_00)
    ringgit_fund = investor()
    _, reasons = explain(usd_fund, project(), GRAPH)
    usd_score, _ = explain(usd_fund, project(), GRAPH)
    ringgit_score, _ = explain(ringgit_fund, project(), GRAPH)

    assert not any(r.startswith("ticket") for r in reasons)
    assert usd_score < ringgit_score


def test_exchange_rates_let_a_dollar_ticket_fit_a_ringgit_ask():
    usd_fund = investor(currency="USD", ticket_min=1_000_000_00, ticket_max=5_000_000_00)
    rates = {"USD": 1.0, "MYR": 0.22}  # RM 12m is about US$ 2.6m
    _, reasons = explain(usd_fund, project(), GRAPH, rates=rates)
    assert "ticket US$ 1–5m fits a RM 12m ask" in reasons


@pytest.mark.parametrize(
    ("sen", "shown"),
    [
        (12 * MILLION, "RM 12m"),
        (500_000 * RM, "RM 500k"),
        (1_500 * MILLION, "RM 1.5b"),
        (1_250_000 * RM, "RM 1.2m"),
        (999_999 * RM, "RM 1m"),
        (750 * RM, "RM 750"),
    ],
)
def test_amounts_read_the_way_people_say_them(sen, shown):
    assert format_money(sen) == shown


def test_ranges_share_their_unit_when_they_can():
    assert format_money_range(5 * MILLION, 20 * MILLION) == "RM 5–20m"
    assert format_money_range(500_000 * RM, 2 * MILLION) == "RM 500k–2m"
    assert format_money_range(12 * MILLION, 12 * MILLION) == "RM 12m"


# --- stage, instruments, geography, text -------------------------------------------


def test_same_stage_is_a_reason_and_a_neighbouring_stage_counts_half():
    same, same_reasons = explain(investor(stages={"pilot"}), project(), GRAPH)
    near, near_reasons = explain(investor(stages={"feasibility"}), project(), GRAPH)
    far, _ = explain(investor(stages={"operating"}), project(), GRAPH)

    assert "both at pilot stage" in same_reasons
    assert "backs feasibility projects; this one is at pilot" in near_reasons
    assert same > near > far


def test_shared_instruments_are_named_in_their_usual_order():
    _, reasons = explain(investor(instruments={"PPP", "grant", "debt"}), project(), GRAPH)
    assert "both open to grant and PPP" in reasons


def test_investor_names_the_state_the_way_they_wrote_it():
    _, reasons = explain(investor(geographies={"Penang"}), project(), GRAPH)
    assert "invests in Penang" in reasons


def test_asean_investor_reaches_a_project_in_da_nang():
    da_nang = project(city="Da Nang", state="", country="Viet Nam", currency="MYR")
    _, reasons = explain(investor(geographies={"ASEAN"}), da_nang, GRAPH)
    assert "invests across ASEAN" in reasons


def test_investor_in_selangor_gets_no_geography_credit_for_penang():
    selangor, reasons = explain(investor(geographies={"Selangor"}), project(), GRAPH)
    penang, _ = explain(investor(geographies={"Penang"}), project(), GRAPH)
    assert not any(r.startswith("invests") for r in reasons)
    assert selangor < penang


def test_unstated_preferences_never_count_against_a_pair():
    stated, _ = explain(investor(), project(), GRAPH)
    open_minded, _ = explain(
        investor(policies=set(), sectors=set(), stages=set(), instruments=set(), geographies=set()),
        project(),
        GRAPH,
    )
    assert open_minded == stated


def test_shared_words_of_thesis_and_summary_lift_a_project_and_are_named():
    fund = investor(thesis="Flood early warning: river level sensors and rainfall radar.")
    flood = project(1, summary="River level sensors give flood early warning to villages.")
    other = project(2, summary="Cashless fare payment for the city's ferry terminal.")

    result = score_all([fund], [flood, other], GRAPH)
    listed = listed_projects(result, fund.id)

    assert listed[1][0] > listed[2][0]
    lead = "thesis and summary both mention "
    mention = next(r for r in listed[1][1] if r.startswith(lead))
    named = mention.removeprefix(lead).replace(" and ", ", ").split(", ")
    assert len(named) == 3
    assert all(w in fund.thesis.lower() and w in flood.summary.lower() for w in named)
    assert not any(r.startswith(lead) for r in listed[2][1])


# --- the lists ------------------------------------------------------------------


def test_excluded_pair_is_never_recommended_either_way():
    fund, other_fund = investor(1), investor(2)
    projects = [project(1), project(2)]

    result = score_all([fund, other_fund], projects, GRAPH, excluded={(1, 1)})

    assert 1 not in listed_projects(result, 1)
    assert 1 not in listed_investors(result, 1)
    assert 2 in listed_projects(result, 1)
    assert 1 in listed_investors(result, 2)


def test_each_list_holds_at_most_top_k_best_first():
    rng = random.Random(7)
    investors, projects = synthetic(rng, 12, 30)

    result = score_all(investors, projects, GRAPH, top_k=5)

    for matches in [*result.for_investors.values(), *result.for_projects.values()]:
        assert 0 < len(matches) <= 5
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_ranked_lists_hold_the_best_pairs_a_pair_by_pair_check_finds():
    """The fast matrix ranking must pick what scoring every pair on its own would pick."""
    rng = random.Random(11)
    investors, projects = synthetic(rng, 15, 40)
    result = score_all(investors, projects, GRAPH, top_k=6)
    model = result.text_model

    for fund in investors:
        every = sorted(
            (explain(fund, p, GRAPH, text_model=model)[0] for p in projects), reverse=True
        )
        assert [m.score for m in result.for_investors[fund.id]] == every[:6]
    for one in projects:
        every = sorted(
            (explain(i, one, GRAPH, text_model=model)[0] for i in investors), reverse=True
        )
        assert [m.score for m in result.for_projects[one.id]] == every[:6]


def test_detail_page_shows_the_same_score_and_reasons_as_the_list():
    rng = random.Random(3)
    investors, projects = synthetic(rng, 20, 50)
    by_id = {p.id: p for p in projects}

    result = score_all(investors, projects, GRAPH, top_k=10)

    checked = 0
    for fund in investors:
        for match in result.for_investors[fund.id]:
            shown = explain(fund, by_id[match.project_id], GRAPH, text_model=result.text_model)
            assert shown == (match.score, match.reasons)
            checked += 1
    assert checked == 200


def test_every_listed_pair_has_reasons_and_a_score_between_0_and_100():
    rng = random.Random(5)
    investors, projects = synthetic(rng, 10, 25)
    result = score_all(investors, projects, GRAPH, top_k=25)
    for matches in result.for_investors.values():
        for m in matches:
            assert 0 < m.score <= 100
            assert m.reasons


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="project ids must be unique"):
        score_all([investor()], [project(1), project(1)], GRAPH)


def test_profiles_refuse_unknown_stages_instruments_and_upside_down_ranges():
    with pytest.raises(ValueError, match="unknown stage"):
        project(stage="prototype")
    with pytest.raises(ValueError, match="unknown instrument"):
        investor(instruments={"crypto"})
    with pytest.raises(ValueError, match="min <= max"):
        investor(ticket_min=20 * MILLION, ticket_max=5 * MILLION)


def test_changing_a_profile_checks_it_again():
    with pytest.raises(ValueError, match="min <= max"):
        replace(project(), funding_min=-1)


def test_instrument_names_are_matched_regardless_of_case():
    assert investor(instruments={"ppp", "Grant"}).instruments == {"PPP", "grant"}


def test_nobody_to_score_gives_empty_lists():
    result = score_all([investor()], [], GRAPH)
    assert result.for_investors == {1: []}
    assert result.for_projects == {}


# --- helpers ----------------------------------------------------------------------

WORDS = (
    "flood",
    "sensors",
    "bus",
    "rail",
    "solar",
    "grid",
    "clinic",
    "waste",
    "permits",
    "fibre",
    "startups",
    "schools",
    "traffic",
    "river",
    "lighting",
    "payments",
)
SECTORS = ("water", "public transport", "energy", "healthcare", "govtech", "iot")
PLACES = (
    ("George Town", "Pulau Pinang", "Malaysia"),
    ("Shah Alam", "Selangor", "Malaysia"),
    ("Kuching", "Sarawak", "Malaysia"),
    ("Da Nang", "", "Viet Nam"),
    ("Bangkok", "", "Thailand"),
)


def synthetic(rng: random.Random, investors: int, projects: int):
    """Small varied profiles for the properties that must hold for any data."""
    parts = list(PART_ID.values())
    made_projects = []
    for n in range(1, projects + 1):
        city, state, country = rng.choice(PLACES)
        low = rng.randint(1, 50) * MILLION
        made_projects.append(
            project(
                n,
                title=" ".join(rng.sample(WORDS, 2)),
                summary=" ".join(rng.sample(WORDS, 6)),
                city=city,
                state=state,
                country=country,
                policies=set(rng.sample(parts, rng.randint(1, 3))),
                sectors=set(rng.sample(SECTORS, rng.randint(1, 2))),
                stage=rng.choice(STAGES),
                funding_min=low,
                funding_max=low * rng.randint(1, 3),
                instruments=set(rng.sample(INSTRUMENTS, 2)),
            )
        )
    made_investors = []
    for n in range(1, investors + 1):
        low = rng.randint(1, 30) * MILLION
        made_investors.append(
            investor(
                n,
                policies=set(rng.sample(parts, rng.randint(1, 4))),
                sectors=set(rng.sample(SECTORS, rng.randint(1, 3))),
                stages=set(rng.sample(STAGES, rng.randint(1, 2))),
                ticket_min=low,
                ticket_max=low * rng.randint(2, 5),
                currency=rng.choice(("MYR", "MYR", "USD")),
                instruments=set(rng.sample(INSTRUMENTS, rng.randint(1, 3))),
                geographies=set(
                    rng.sample(
                        ("Malaysia", "ASEAN", "Selangor", "Penang", "Thailand"), rng.randint(0, 2)
                    )
                ),
                thesis=" ".join(rng.sample(WORDS, 8)),
            )
        )
    return made_investors, made_projects
