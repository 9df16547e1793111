"""The seeded policy frameworks and the default cross-walk between their parts, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

# A policy part is named by its framework's code and its own name, never by a
# database id: the seed data and the cross-walk must read the same on every
# installation, and the service maps these keys to row ids.
PartKey = tuple[str, str]


@dataclass(frozen=True)
class Framework:
    """A policy framework whose parts projects and investor theses are tagged with."""

    code: str
    name: str
    source: str
    parts: tuple[str, ...]

    def keys(self) -> tuple[PartKey, ...]:
        return tuple((self.code, part) for part in self.parts)


# Names copied from shared/data/smart-city-reference.json (a test keeps them in step).
SCEKL25 = Framework(
    code="SCEKL25",
    name="Smart City Expo Kuala Lumpur 2025 pillars",
    source="Ministry of Digital, launch of the SCEKL25 countdown (2025)",
    parts=(
        "AI Cities",
        "Sustainable & Resilient Cities",
        "Digital Entrepreneurship & Economic Development",
        "Community Empowerment through Digital Solutions",
    ),
)
ASCN = Framework(
    code="ASCN",
    name="ASEAN Smart Cities Network focus areas",
    source="ASEAN Smart Cities Framework (2018)",
    parts=(
        "Civic & Social",
        "Health & Well-being",
        "Safety & Security",
        "Quality Environment",
        "Built Infrastructure",
        "Industry & Innovation",
    ),
)
MSCF = Framework(
    code="MSCF",
    name="Malaysia Smart City Framework components",
    source="Malaysia Smart City Framework, KPKT / PLANMalaysia (2019-2025)",
    parts=(
        "Smart Economy",
        "Smart Living",
        "Smart Environment",
        "Smart People",
        "Smart Government",
        "Smart Mobility",
        "Smart Digital Infrastructure",
    ),
)

FRAMEWORKS: tuple[Framework, ...] = (SCEKL25, ASCN, MSCF)


def seeded_parts() -> tuple[PartKey, ...]:
    """Every part of every seeded framework, in seed order (the demo data numbers them so)."""
    return tuple(key for framework in FRAMEWORKS for key in framework.keys())


# Links between parts of different frameworks that say "these are the same
# policy concern seen through another framework". A link is symmetric and
# deliberately one hop: the scorer never chains two links, because a chain
# (Smart Mobility -> Built Infrastructure -> Smart Digital Infrastructure)
# drifts away from what either side asked for.
#
# The SCEKL25 pillars are broad themes, ASCN focus areas are outcomes, MSCF
# components are the Malaysian planning domains; each pillar is linked to the
# areas and components a policy analyst would file its projects under.
DEFAULT_LINKS: tuple[tuple[PartKey, PartKey], ...] = (
    # SCEKL25 pillars <-> ASCN focus areas and MSCF components
    (("SCEKL25", "AI Cities"), ("MSCF", "Smart Digital Infrastructure")),
    (("SCEKL25", "AI Cities"), ("ASCN", "Industry & Innovation")),
    (("SCEKL25", "AI Cities"), ("MSCF", "Smart Government")),
    (("SCEKL25", "Sustainable & Resilient Cities"), ("ASCN", "Quality Environment")),
    (("SCEKL25", "Sustainable & Resilient Cities"), ("MSCF", "Smart Environment")),
    (("SCEKL25", "Sustainable & Resilient Cities"), ("ASCN", "Built Infrastructure")),
    (("SCEKL25", "Digital Entrepreneurship & Economic Development"), ("MSCF", "Smart Economy")),
    (
        ("SCEKL25", "Digital Entrepreneurship & Economic Development"),
        ("ASCN", "Industry & Innovation"),
    ),
    (("SCEKL25", "Community Empowerment through Digital Solutions"), ("ASCN", "Civic & Social")),
    (("SCEKL25", "Community Empowerment through Digital Solutions"), ("MSCF", "Smart People")),
    # ASCN focus areas <-> MSCF components
    (("ASCN", "Civic & Social"), ("MSCF", "Smart People")),
    (("ASCN", "Civic & Social"), ("MSCF", "Smart Government")),
    (("ASCN", "Health & Well-being"), ("MSCF", "Smart Living")),
    (("ASCN", "Safety & Security"), ("MSCF", "Smart Living")),
    (("ASCN", "Safety & Security"), ("MSCF", "Smart Government")),
    (("ASCN", "Quality Environment"), ("MSCF", "Smart Environment")),
    (("ASCN", "Built Infrastructure"), ("MSCF", "Smart Mobility")),
    (("ASCN", "Built Infrastructure"), ("MSCF", "Smart Digital Infrastructure")),
    (("ASCN", "Industry & Innovation"), ("MSCF", "Smart Economy")),
)
