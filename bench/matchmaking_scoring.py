"""Benchmark: reciprocal scores for 2,000 investors x 5,000 projects, with reasons for each top 20.

Synthetic but shaped like the expo: real framework parts, Malaysian states and ASCN
cities; projects and theses drawn around topics (mobility, flood and water, ...) so
that tags, stages, money and text agree the way they do in real submissions.

    .venv/bin/python bench/matchmaking_scoring.py [--investors N] [--projects N] [--seed S]

Prints human lines, then one JSON line: seconds against the 5 s target, and the speed-up
over a naive loop that calls ``explain`` per pair (timed on a sample, extrapolated).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import dataclass

from expo.matchmaking.crosswalk import seeded_parts
from expo.matchmaking.scoring import (
    MALAYSIAN_STATES,
    STAGES,
    InvestorProfile,
    PolicyGraph,
    ProjectProfile,
    TextModel,
    explain,
    score_all,
)

TARGET_SECONDS = 5.0
NAIVE_SAMPLE_PAIRS = 400

MALAYSIAN_CITIES: dict[str, str] = {
    "Kuala Lumpur": "W.P. Kuala Lumpur",
    "Putrajaya": "W.P. Putrajaya",
    "George Town": "Pulau Pinang",
    "Johor Bahru": "Johor",
    "Iskandar Puteri": "Johor",
    "Shah Alam": "Selangor",
    "Petaling Jaya": "Selangor",
    "Subang Jaya": "Selangor",
    "Kota Kinabalu": "Sabah",
    "Kuching": "Sarawak",
    "Ipoh": "Perak",
    "Melaka": "Melaka",
    "Kuantan": "Pahang",
    "Alor Setar": "Kedah",
    "Kuala Terengganu": "Terengganu",
    "Kota Bharu": "Kelantan",
    "Seremban": "Negeri Sembilan",
    "Kangar": "Perlis",
    "Labuan": "W.P. Labuan",
}
ASEAN_CITIES: dict[str, list[str]] = {
    "Brunei Darussalam": ["Bandar Seri Begawan"],
    "Cambodia": ["Battambang", "Phnom Penh", "Siem Reap", "Sihanoukville"],
    "Indonesia": ["Banyuwangi", "DKI Jakarta", "Makassar", "Sumedang"],
    "Lao PDR": ["Luang Prabang", "Vientiane"],
    "Myanmar": ["Mandalay", "Nay Pyi Taw", "Yangon"],
    "Philippines": ["Cebu City", "Davao City", "Manila"],
    "Singapore": ["Singapore"],
    "Thailand": ["Bangkok", "Chonburi", "Phuket", "Chiang Mai", "Khon Kaen", "Rayong"],
    "Viet Nam": ["Da Nang", "Ha Noi", "Ho Chi Minh City"],
}


@dataclass(frozen=True)
class Topic:
    sectors: tuple[str, ...]
    policies: tuple[tuple[str, str], ...]
    words: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        ("public transport", "ev charging", "parking", "logistics"),
        (
            ("MSCF", "Smart Mobility"),
            ("ASCN", "Built Infrastructure"),
            ("SCEKL25", "Sustainable & Resilient Cities"),
        ),
        (
            "bus",
            "rail",
            "commuters",
            "traffic",
            "congestion",
            "ridership",
            "fleet",
            "electric",
            "chargers",
            "last-mile",
            "signals",
            "corridor",
        ),
    ),
    Topic(
        ("flood control", "water", "drainage"),
        (
            ("ASCN", "Quality Environment"),
            ("MSCF", "Smart Environment"),
            ("SCEKL25", "Sustainable & Resilient Cities"),
        ),
        (
            "flood",
            "rainfall",
            "river",
            "sensors",
            "early-warning",
            "drainage",
            "catchment",
            "non-revenue",
            "leaks",
            "pipes",
            "wetlands",
            "monsoon",
        ),
    ),
    Topic(
        ("solar", "smart grid", "street lighting", "energy efficiency"),
        (
            ("MSCF", "Smart Environment"),
            ("ASCN", "Built Infrastructure"),
            ("SCEKL25", "Sustainable & Resilient Cities"),
        ),
        (
            "solar",
            "rooftop",
            "grid",
            "lighting",
            "led",
            "carbon",
            "emissions",
            "metering",
            "storage",
            "batteries",
            "efficiency",
            "net-zero",
        ),
    ),
    Topic(
        ("solid waste", "recycling", "circular economy"),
        (("ASCN", "Quality Environment"), ("MSCF", "Smart Environment")),
        (
            "waste",
            "recycling",
            "landfill",
            "collection",
            "bins",
            "composting",
            "plastics",
            "sorting",
            "circular",
            "trucks",
        ),
    ),
    Topic(
        ("cctv", "emergency response", "cybersecurity"),
        (("ASCN", "Safety & Security"), ("MSCF", "Smart Government"), ("MSCF", "Smart Living")),
        (
            "cameras",
            "command",
            "centre",
            "incident",
            "response",
            "dispatch",
            "police",
            "fire",
            "analytics",
            "cyber",
            "resilience",
            "patrol",
        ),
    ),
    Topic(
        ("healthcare", "telemedicine", "ageing"),
        (("ASCN", "Health & Well-being"), ("MSCF", "Smart Living")),
        (
            "clinics",
            "patients",
            "telemedicine",
            "elderly",
            "care",
            "records",
            "screening",
            "wellness",
            "ambulance",
            "hospital",
        ),
    ),
    Topic(
        ("govtech", "digital identity", "e-payments"),
        (("MSCF", "Smart Government"), ("ASCN", "Civic & Social"), ("SCEKL25", "AI Cities")),
        (
            "permits",
            "portal",
            "citizens",
            "services",
            "payments",
            "identity",
            "licensing",
            "open",
            "data",
            "dashboard",
            "council",
            "apps",
        ),
    ),
    Topic(
        ("5g", "data centres", "iot", "ai"),
        (
            ("MSCF", "Smart Digital Infrastructure"),
            ("SCEKL25", "AI Cities"),
            ("ASCN", "Industry & Innovation"),
        ),
        (
            "5g",
            "fibre",
            "towers",
            "iot",
            "platform",
            "ai",
            "models",
            "data",
            "cloud",
            "edge",
            "connectivity",
            "twin",
        ),
    ),
    Topic(
        ("fintech", "startups", "tourism", "agritech"),
        (
            ("MSCF", "Smart Economy"),
            ("ASCN", "Industry & Innovation"),
            ("SCEKL25", "Digital Entrepreneurship & Economic Development"),
        ),
        (
            "startups",
            "smes",
            "marketplace",
            "tourism",
            "farmers",
            "exports",
            "jobs",
            "incubator",
            "merchants",
            "ecommerce",
            "visitors",
            "growth",
        ),
    ),
    Topic(
        ("education", "digital skills", "community"),
        (
            ("MSCF", "Smart People"),
            ("ASCN", "Civic & Social"),
            ("SCEKL25", "Community Empowerment through Digital Solutions"),
        ),
        (
            "schools",
            "skills",
            "training",
            "youth",
            "libraries",
            "inclusion",
            "villages",
            "literacy",
            "volunteers",
            "community",
            "women",
            "coding",
        ),
    ),
)
FILLER = (
    "city",
    "residents",
    "project",
    "programme",
    "deploy",
    "scale",
    "pilot",
    "partners",
    "operator",
    "municipal",
    "smart",
    "platform",
    "sustainable",
)
OWNERS = ("City Council", "Municipal Council", "State Agency", "Sdn Bhd startup")


def money(rng: random.Random, low_rm: float, high_rm: float) -> tuple[int, int]:
    """A range in sen, log-uniform between the bounds, 1-3 times wide."""
    centre = low_rm * (high_rm / low_rm) ** rng.random()
    width = rng.uniform(1.0, 3.0)
    low = int(centre / width**0.5)
    return low * 100, int(low * width) * 100


def text(rng: random.Random, topics: list[Topic], words: int) -> str:
    pool = [w for t in topics for w in t.words]
    return " ".join(
        rng.choice(pool) if rng.random() < 0.7 else rng.choice(FILLER) for _ in range(words)
    )


def place(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.6:
        city = rng.choice(sorted(MALAYSIAN_CITIES))
        return city, MALAYSIAN_CITIES[city], "Malaysia"
    country = rng.choice(sorted(ASEAN_CITIES))
    return rng.choice(ASEAN_CITIES[country]), "", country


def make_projects(rng: random.Random, count: int, part_id: dict) -> list[ProjectProfile]:
    projects = []
    for n in range(count):
        topics = rng.sample(TOPICS, 1 if rng.random() < 0.7 else 2)
        city, state, country = place(rng)
        policies = {part_id[rng.choice(t.policies)] for t in topics}
        if rng.random() < 0.3:
            policies.add(part_id[rng.choice(topics[0].policies)])
        sectors = {rng.choice(t.sectors) for t in topics}
        owner = rng.choice(OWNERS)
        instruments = (
            ["equity", "grant"]
            if owner.endswith("startup")
            else rng.sample(["grant", "PPP", "procurement", "debt"], 2)
        )
        low, high = money(rng, 200_000, 300_000_000)
        currency = "MYR" if country == "Malaysia" or rng.random() < 0.5 else "USD"
        projects.append(
            ProjectProfile(
                id=n + 1,
                title=f"{city} {rng.choice(topics[0].words)} {rng.choice(('pilot', 'programme'))}",
                summary=f"{owner} of {city}: " + text(rng, topics, rng.randint(25, 60)),
                city=city,
                state=state,
                country=country,
                policies=policies,
                sectors=sectors,
                stage=rng.choices(STAGES, weights=(2, 3, 4, 3, 1))[0],
                funding_min=low,
                funding_max=high,
                currency=currency,
                instruments=instruments,
            )
        )
    return projects


def make_investors(rng: random.Random, count: int, part_id: dict) -> list[InvestorProfile]:
    investors = []
    for n in range(count):
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        policies = {part_id[p] for t in topics for p in rng.sample(t.policies, 1)}
        sectors = {s for t in topics for s in rng.sample(t.sectors, 2)}
        first = rng.randrange(len(STAGES))
        stages = STAGES[first : first + rng.randint(1, 3)]
        roll = rng.random()
        geographies = (
            ["ASEAN"]
            if roll < 0.3
            else ["Malaysia"]
            if roll < 0.55
            else rng.sample(MALAYSIAN_STATES, rng.randint(1, 3))
            if roll < 0.8
            else rng.sample(sorted(ASEAN_CITIES), rng.randint(1, 3))
        )
        low, high = money(rng, 500_000, 100_000_000)
        investors.append(
            InvestorProfile(
                id=n + 1,
                policies=policies,
                sectors=sectors,
                stages=stages,
                ticket_min=low,
                ticket_max=high * 3,
                currency="MYR" if rng.random() < 0.75 else "USD",
                instruments=rng.sample(
                    ["grant", "equity", "debt", "PPP", "procurement"], rng.randint(1, 3)
                ),
                geographies=geographies,
                thesis=text(rng, topics, rng.randint(20, 50)),
            )
        )
    return investors


def naive_seconds_per_pair(investors, projects, graph, model, rng: random.Random) -> float:
    """The obvious implementation: score each pair on its own (``explain`` in a loop)."""
    sample = [(rng.choice(investors), rng.choice(projects)) for _ in range(NAIVE_SAMPLE_PAIRS)]
    started = time.perf_counter()
    for investor, project in sample:
        explain(investor, project, graph, text_model=model)
    return (time.perf_counter() - started) / len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investors", type=int, default=2000)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--top-k", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    part_id = {key: n for n, key in enumerate(seeded_parts(), start=1)}
    graph = PolicyGraph.from_crosswalk(part_id)
    projects = make_projects(rng, args.projects, part_id)
    investors = make_investors(rng, args.investors, part_id)
    excluded = {(rng.choice(investors).id, rng.choice(projects).id) for _ in range(2000)}

    started, cpu_started = time.perf_counter(), time.process_time()
    result = score_all(investors, projects, graph, top_k=args.top_k, excluded=excluded)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    model: TextModel = result.text_model
    per_pair = naive_seconds_per_pair(investors, projects, graph, model, rng)
    naive = per_pair * len(investors) * len(projects)
    listed = sum(map(len, result.for_investors.values())) + sum(
        map(len, result.for_projects.values())
    )
    example_investor = next(i for i, m in result.for_investors.items() if m)
    best = result.for_investors[example_investor][0]

    print(
        f"scored {len(investors):,} investors x {len(projects):,} projects "
        f"({len(investors) * len(projects):,} pairs), {len(excluded):,} pairs hidden"
    )
    print(f"listed {listed:,} recommendations (top {args.top_k} each side) with reasons")
    print(
        f"time: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
        f"(target {TARGET_SECONDS:.0f} s: {seconds / TARGET_SECONDS:.0%}); "
        f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"naive per-pair loop: {per_pair * 1e6:.0f} us/pair on {NAIVE_SAMPLE_PAIRS} pairs, "
        f"about {naive:,.0f} s for all; speed-up x{naive / seconds:,.0f}"
    )
    print(
        f"e.g. investor {example_investor} -> project {best.project_id}, "
        f"score {best.score}: {'; '.join(best.reasons)}"
    )
    print(
        json.dumps(
            {
                "benchmark": "matchmaking_scoring",
                "investors": len(investors),
                "projects": len(projects),
                "top_k": args.top_k,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu_seconds, 3),
                "load_average": round(os.getloadavg()[0], 2),
                "target_seconds": TARGET_SECONDS,
                "ratio_to_target": round(seconds / TARGET_SECONDS, 3),
                "naive_seconds_extrapolated": round(naive, 1),
                "speedup_vs_naive": round(naive / seconds, 1),
                "recommendations_listed": listed,
            }
        )
    )


if __name__ == "__main__":
    main()
