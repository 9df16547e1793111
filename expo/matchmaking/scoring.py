"""Reciprocal, explainable match scores between investor theses and projects (pure module).

How a score is made
-------------------
Every pair (investor, project) gets nine dimension values in 0..1:

``policy_cover``   share of the project's policy parts that the thesis covers (through
                   the cross-walk: a linked part counts ``link_strength``, e.g. 0.6);
``policy_focus``   share of the thesis's policy parts that the project serves;
``sector_cover``   share of the project's sector tags in the thesis;
``sector_focus``   share of the thesis's sector tags the project has;
``stage``          1 when the investor backs the project's stage, 0.5 one stage away;
``instrument``     1 when they share an instrument (grant, equity, debt, PPP, procurement);
``geography``      1 when the project's city, state, country or ASEAN is in the thesis;
``money``          1 when the ticket range and the funding sought overlap, fading to 0
                   when they miss by a factor ``MONEY_NEAR_MISS_FACTOR`` (same currency
                   only, unless exchange rates are given);
``text``           TF-IDF cosine of thesis vs project title + summary, fitted locally on
                   the event's own texts; ``TEXT_FULL_MATCH`` counts as a full match.

An investor who states no policies, sectors, stages, instruments or geographies is open
to all of them: an empty preference never counts against a pair.

The two directional fits are weighted sums of those values (``INVESTOR_SIDE`` and
``PROJECT_SIDE`` say which and why), and the score is their harmonic mean times 100:
a pair where only one side is happy ranks low, which is what "reciprocal" means here.

``score_all`` ranks every pair with dense matrix products (numpy/scipy) and builds
reasons only for each side's top k; ``explain`` scores one pair with the very same
pair-wise code, so a detail page shows the number the list showed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from expo.matchmaking.crosswalk import DEFAULT_LINKS, PartKey, seeded_parts

# ---------------------------------------------------------------------------
# Vocabulary of the field
# ---------------------------------------------------------------------------

STAGES: tuple[str, ...] = ("concept", "feasibility", "pilot", "scale-up", "operating")
INSTRUMENTS: tuple[str, ...] = ("grant", "equity", "debt", "PPP", "procurement")

# ASEAN members; the ten of the ASCN pilot list, plus Timor-Leste (admitted October 2025).
ASEAN_COUNTRIES: tuple[str, ...] = (
    "Brunei Darussalam",
    "Cambodia",
    "Indonesia",
    "Lao PDR",
    "Malaysia",
    "Myanmar",
    "Philippines",
    "Singapore",
    "Thailand",
    "Viet Nam",
    "Timor-Leste",
)
MALAYSIAN_STATES: tuple[str, ...] = (
    "Johor",
    "Kedah",
    "Kelantan",
    "Melaka",
    "Negeri Sembilan",
    "Pahang",
    "Perak",
    "Perlis",
    "Pulau Pinang",
    "Sabah",
    "Sarawak",
    "Selangor",
    "Terengganu",
    "W.P. Kuala Lumpur",
    "W.P. Labuan",
    "W.P. Putrajaya",
)
ASEAN = "ASEAN"
# Names people type for the same place; matched case-insensitively.
PLACE_ALIASES: dict[str, str] = {
    "penang": "Pulau Pinang",
    "kuala lumpur": "W.P. Kuala Lumpur",
    "wilayah persekutuan kuala lumpur": "W.P. Kuala Lumpur",
    "kl": "W.P. Kuala Lumpur",
    "putrajaya": "W.P. Putrajaya",
    "labuan": "W.P. Labuan",
    "malacca": "Melaka",
    "negri sembilan": "Negeri Sembilan",
    "brunei": "Brunei Darussalam",
    "laos": "Lao PDR",
    "lao": "Lao PDR",
    "vietnam": "Viet Nam",
    "east timor": "Timor-Leste",
    "timor leste": "Timor-Leste",
}

# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------

# The investor's side: does the project fall inside the thesis? Policies lead because
# linking policy to projects to capital is what the expo's matchmaking is for; sector,
# stage and geography follow because mandates are written in those terms (a grant fund
# backs concept work, an infrastructure fund operating assets, many funds one country).
# Ticket and instrument matter less here: the investor can shape a deal. Text catches
# what tags miss, but is noisy, so it weighs little.
INVESTOR_SIDE: dict[str, float] = {
    "policy_cover": 0.25,
    "sector_cover": 0.20,
    "stage": 0.15,
    "geography": 0.15,
    "money": 0.10,
    "instrument": 0.05,
    "text": 0.10,
}
# The project's side: does the investor bring what the project needs? Money of the right
# size comes first, then a form of money the owner can take (a city council cannot sell
# equity; a startup rarely runs a PPP); then an investor for whom the project's policies
# are core, not peripheral (``policy_focus`` favours focused theses over catch-alls).
PROJECT_SIDE: dict[str, float] = {
    "money": 0.30,
    "instrument": 0.20,
    "policy_focus": 0.20,
    "sector_focus": 0.10,
    "stage": 0.10,
    "geography": 0.05,
    "text": 0.05,
}
DIMENSIONS: tuple[str, ...] = (
    "policy_cover",
    "policy_focus",
    "sector_cover",
    "sector_focus",
    "stage",
    "instrument",
    "geography",
    "money",
    "text",
)

DEFAULT_LINK_STRENGTH = 0.6
ADJACENT_STAGE_FIT = 0.5
# Ranges that miss each other by this factor (e.g. a RM 1-4m ticket vs a RM 12m ask) score 0.
MONEY_NEAR_MISS_FACTOR = 3.0
# A short thesis and a project summary on the same topic rarely pass a TF-IDF cosine of 0.5.
TEXT_FULL_MATCH = 0.5
# Below this cosine shared words are chance, not a reason.
TEXT_REASON_MIN_COSINE = 0.1
TEXT_REASON_WORDS = 3
# Words that many theses and many summaries share go through a dense matrix product.
DENSE_TEXT_COLUMNS = 384

# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------

CURRENCY_SYMBOLS: dict[str, str] = {"MYR": "RM", "USD": "US$", "SGD": "S$", "EUR": "€"}
# ISO 4217 minor-unit digits where they are not 2.
MINOR_UNIT_DIGITS: dict[str, int] = {"JPY": 0, "KRW": 0, "VND": 0}


def _major(amount_minor: int, currency: str) -> float:
    return amount_minor / 10 ** MINOR_UNIT_DIGITS.get(currency, 2)


def _scaled(major: float) -> tuple[str, str]:
    """12_000_000 -> ("12", "m"); 1_250_000 -> ("1.2", "m"); 999_999 -> ("1", "m").

    Two significant figures under 10 of a unit, whole numbers above: expo talk, not
    accounting. The unit is chosen after rounding so that 999,999 reads "1m", not "1000k".
    """

    def rounded(value: float) -> str:
        return (f"{value:.1f}" if value < 10 else f"{value:.0f}").removesuffix(".0")

    for threshold, unit in ((1e9, "b"), (1e6, "m"), (1e3, "k")):
        text = rounded(major / threshold)
        if float(text) >= 1:
            return text, unit
    return rounded(major), ""


def _symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get(currency, currency)


def format_money(amount_minor: int, currency: str = "MYR") -> str:
    """RM 12m, RM 500k, RM 1.5b: how people at the expo say amounts."""
    number, suffix = _scaled(_major(amount_minor, currency))
    return f"{_symbol(currency)} {number}{suffix}"


def format_money_range(low_minor: int, high_minor: int, currency: str = "MYR") -> str:
    """RM 5–20m; RM 500k–2m; a single amount when both ends are equal."""
    if low_minor == high_minor:
        return format_money(low_minor, currency)
    low, low_suffix = _scaled(_major(low_minor, currency))
    high, high_suffix = _scaled(_major(high_minor, currency))
    if low_suffix == high_suffix:
        return f"{_symbol(currency)} {low}–{high}{high_suffix}"
    return f"{_symbol(currency)} {low}{low_suffix}–{high}{high_suffix}"


# ---------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------

_INSTRUMENT_BY_LOWER = {name.lower(): name for name in INSTRUMENTS}


def _instruments(values: Iterable[str]) -> frozenset[str]:
    try:
        return frozenset(_INSTRUMENT_BY_LOWER[value.strip().lower()] for value in values)
    except KeyError as error:
        raise ValueError(f"unknown instrument {error.args[0]!r}; use {INSTRUMENTS}") from None


def _stages(values: Iterable[str]) -> frozenset[str]:
    stages = frozenset(value.strip().lower() for value in values)
    unknown = stages - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage {sorted(unknown)}; use {STAGES}")
    return stages


def _sectors(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values if value.strip())


def _check_money_range(low: int, high: int, currency: str, what: str) -> None:
    if not 0 <= low <= high:
        raise ValueError(f"{what}: need 0 <= min <= max minor units, got {low}..{high}")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"{what}: currency must be an ISO 4217 code, got {currency!r}")


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


@dataclass(frozen=True)
class ProjectProfile:
    """What a project owner posted: where, which policies, what stage, what money in which form.

    Any iterable is accepted for the set fields; they are kept as frozensets. An empty
    ``instruments`` means the owner would take any form of money.
    """

    id: int
    title: str
    summary: str
    city: str
    state: str
    country: str
    policies: frozenset[int]
    sectors: frozenset[str]
    stage: str
    funding_min: int
    funding_max: int
    currency: str = "MYR"
    instruments: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _set(self, "policies", frozenset(self.policies))
        _set(self, "sectors", _sectors(self.sectors))
        (stage,) = _stages([self.stage])
        _set(self, "stage", stage)
        _set(self, "instruments", _instruments(self.instruments))
        _check_money_range(self.funding_min, self.funding_max, self.currency, f"project {self.id}")


@dataclass(frozen=True)
class InvestorProfile:
    """An investor's thesis: what it backs, at which stage, how much, in which form, where."""

    id: int
    policies: frozenset[int]
    sectors: frozenset[str]
    stages: frozenset[str]
    ticket_min: int
    ticket_max: int
    currency: str = "MYR"
    instruments: frozenset[str] = frozenset()
    geographies: frozenset[str] = frozenset()
    thesis: str = ""

    def __post_init__(self) -> None:
        _set(self, "policies", frozenset(self.policies))
        _set(self, "sectors", _sectors(self.sectors))
        _set(self, "stages", _stages(self.stages))
        _set(self, "instruments", _instruments(self.instruments))
        _set(self, "geographies", frozenset(g.strip() for g in self.geographies if g.strip()))
        _check_money_range(self.ticket_min, self.ticket_max, self.currency, f"investor {self.id}")


# ---------------------------------------------------------------------------
# Policy graph
# ---------------------------------------------------------------------------


class PolicyGraph:
    """Policy parts of all frameworks and the cross-walk links between them.

    A part matches itself fully and a linked part at ``link_strength``. Links are
    symmetric and never chained (see ``crosswalk.DEFAULT_LINKS``).
    """

    def __init__(
        self,
        parts: Mapping[int, PartKey],
        links: Iterable[tuple[int, int]],
        *,
        link_strength: float = DEFAULT_LINK_STRENGTH,
    ) -> None:
        if not 0.0 <= link_strength <= 1.0:
            raise ValueError("link_strength must be within 0..1")
        self.parts: dict[int, PartKey] = dict(parts)
        self.link_strength = link_strength
        self.column: dict[int, int] = {part_id: n for n, part_id in enumerate(self.parts)}
        neighbours: dict[int, set[int]] = {part_id: set() for part_id in self.parts}
        for a, b in links:
            if a not in self.parts or b not in self.parts:
                raise ValueError(f"link {a}-{b} names a part that is not in the graph")
            if a != b:
                neighbours[a].add(b)
                neighbours[b].add(a)
        self.neighbours: dict[int, frozenset[int]] = {
            part_id: frozenset(linked) for part_id, linked in neighbours.items()
        }
        size = len(self.parts)
        similarity = np.eye(size)
        for part_id, linked in self.neighbours.items():
            for other in linked:
                similarity[self.column[part_id], self.column[other]] = link_strength
        self.similarity = similarity

    @classmethod
    def from_crosswalk(
        cls,
        part_ids: Mapping[PartKey, int] | None = None,
        links: Iterable[tuple[PartKey, PartKey]] = DEFAULT_LINKS,
        *,
        link_strength: float = DEFAULT_LINK_STRENGTH,
    ) -> PolicyGraph:
        """The graph of named parts; without ``part_ids`` the seeded parts are numbered 1.. in
        seed order (what demo data, tests and benchmarks use)."""
        if part_ids is None:
            part_ids = {key: n for n, key in enumerate(seeded_parts(), start=1)}
        parts = {part_id: key for key, part_id in part_ids.items()}
        return cls(
            parts,
            ((part_ids[a], part_ids[b]) for a, b in links if a in part_ids and b in part_ids),
            link_strength=link_strength,
        )

    def name(self, part_id: int) -> str:
        return self.parts[part_id][1]

    def label(self, part_id: int) -> str:
        """'Built Infrastructure (ASCN)'."""
        code, name = self.parts[part_id]
        return f"{name} ({code})"

    def __len__(self) -> int:
        return len(self.parts)


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

# Words of two or more characters with at least one letter: keeps "5G" and "IoT", drops "2025".
_TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w\w+\b"


def _project_text(project: ProjectProfile) -> str:
    return f"{project.title}. {project.summary}"


class TextModel:
    """TF-IDF fitted on the event's own theses and project texts; nothing is downloaded.

    Fit it once per scoring run (``score_all`` does, and returns it in its result) and
    hand the same model to ``explain`` so both show the same numbers.
    """

    def __init__(self, vectorizer: TfidfVectorizer | None) -> None:
        self.vectorizer = vectorizer
        self.terms: np.ndarray = (
            vectorizer.get_feature_names_out() if vectorizer is not None else np.array([])
        )
        # The corpus' own vectors, kept because scoring asks for exactly those next.
        self._known: dict[tuple[str, ...], sp.csr_matrix] = {}

    @classmethod
    def fit(
        cls, investors: Iterable[InvestorProfile], projects: Iterable[ProjectProfile]
    ) -> TextModel:
        theses = tuple(i.thesis for i in investors)
        summaries = tuple(_project_text(p) for p in projects)
        vectorizer = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, token_pattern=_TOKEN_PATTERN
        )
        try:
            vectors = sp.csr_matrix(vectorizer.fit_transform(theses + summaries))
        except ValueError:  # nothing but stop words or blanks: text cannot tell pairs apart
            return cls(None)
        model = cls(vectorizer)
        model._known = {theses: vectors[: len(theses)], summaries: vectors[len(theses) :]}
        return model

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Unit-length TF-IDF rows (all-zero rows for texts without known words)."""
        if self.vectorizer is None:
            return sp.csr_matrix((len(texts), 1))
        known = self._known.get(tuple(texts))
        if known is not None:
            return known
        return sp.csr_matrix(self.vectorizer.transform(texts))


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


class ProjectMatch(NamedTuple):
    """A project recommended to an investor."""

    project_id: int
    score: float
    reasons: tuple[str, ...]


class InvestorMatch(NamedTuple):
    """An investor recommended to a project."""

    investor_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendations:
    """Best first, for every investor and every project given (possibly an empty list)."""

    for_investors: dict[int, list[ProjectMatch]]
    for_projects: dict[int, list[InvestorMatch]]
    text_model: TextModel = field(repr=False)


# ---------------------------------------------------------------------------
# Encoding: profiles -> matrices
# ---------------------------------------------------------------------------


def _place_key(name: str) -> str:
    key = " ".join(name.replace("-", " ").lower().split())
    alias = PLACE_ALIASES.get(key)
    return " ".join(alias.replace("-", " ").lower().split()) if alias else key


_ASEAN_KEYS = frozenset(_place_key(country) for country in ASEAN_COUNTRIES)
_ASEAN_KEY = _place_key(ASEAN)


def _project_places(project: ProjectProfile) -> tuple[str, ...]:
    """The project's place keys, most specific first: city, state, country, ASEAN."""
    places = [_place_key(p) for p in (project.city, project.state, project.country) if p]
    if _place_key(project.country) in _ASEAN_KEYS:
        places.append(_ASEAN_KEY)
    return tuple(dict.fromkeys(places))


def _vocabulary(*groups: Iterable[Collection[str]]) -> dict[str, int]:
    terms = sorted({term for group in groups for values in group for term in values})
    return {term: n for n, term in enumerate(terms)}


def _incidence(rows: Sequence[Collection[object]], column: Mapping[object, int]) -> np.ndarray:
    """0/1 matrix: row n has a 1 in each column of its values (values not in ``column`` skipped)."""
    matrix = np.zeros((len(rows), len(column)))
    for n, values in enumerate(rows):
        for value in values:
            position = column.get(value)
            if position is not None:
                matrix[n, position] = 1.0
    return matrix


def _soft(incidence: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """How well each row's set covers each column: the best similarity of any member (max)."""
    soft = np.zeros_like(incidence)
    for member in range(incidence.shape[1]):
        np.maximum(soft, incidence[:, [member]] * similarity[member], out=soft)
    return soft


def _share(incidence: np.ndarray) -> np.ndarray:
    """Rows divided by their size, so a dot product becomes a mean over the row's members."""
    counts = incidence.sum(axis=1, keepdims=True)
    return np.divide(incidence, counts, out=np.zeros_like(incidence), where=counts > 0)


def _column(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


def _stage_similarity() -> np.ndarray:
    size = len(STAGES)
    similarity = np.eye(size)
    for n in range(size - 1):
        similarity[n, n + 1] = similarity[n + 1, n] = ADJACENT_STAGE_FIT
    return similarity


@dataclass(frozen=True)
class _Pairing:
    """A dimension that is a dot product of an investor row and a project row.

    ``capped`` turns a count of shared members into "shares at least one" (0 or 1).
    """

    investors: np.ndarray
    projects: np.ndarray
    capped: bool = False


@dataclass(frozen=True)
class _MoneyRanges:
    """Log amounts in a comparable unit; ``group`` differs where amounts cannot be compared."""

    group: np.ndarray
    log_low: np.ndarray
    log_high: np.ndarray


@dataclass(frozen=True)
class _Encoded:
    pairings: dict[str, _Pairing]
    investor_money: _MoneyRanges
    project_money: _MoneyRanges
    investor_text: sp.csr_matrix
    project_text: sp.csr_matrix


def _money_ranges(
    ranges: Sequence[tuple[int, int, str]],
    rates: Mapping[str, float] | None,
    groups: dict[str, int],
) -> _MoneyRanges:
    """With ``rates`` (value of one major unit in a common currency) amounts in a rated
    currency are converted and compared across currencies; otherwise only same-currency
    amounts compare. One minor unit is the floor so that a zero end stays finite."""
    group, log_low, log_high = [], [], []
    for low, high, currency in ranges:
        scale = 10.0 ** -MINOR_UNIT_DIGITS.get(currency, 2)
        if rates and currency in rates:
            key, scale = "*", scale * rates[currency]
        else:
            key = currency
        group.append(groups.setdefault(key, len(groups)))
        log_low.append(math.log(max(low, 1) * scale))
        log_high.append(math.log(max(high, 1) * scale))
    return _MoneyRanges(np.array(group), np.array(log_low), np.array(log_high))


def _encode(
    investors: Sequence[InvestorProfile],
    projects: Sequence[ProjectProfile],
    graph: PolicyGraph,
    text_model: TextModel,
    rates: Mapping[str, float] | None,
) -> _Encoded:
    def with_flag(matrix: np.ndarray, flag: Iterable[float]) -> np.ndarray:
        # The extra column lets "open to all" (or "always") ride in the same dot product.
        return np.hstack([matrix, _column(list(flag))])

    ones_i, ones_p = np.ones(len(investors)), np.ones(len(projects))

    policy_i = _incidence([i.policies for i in investors], graph.column)
    policy_p = _incidence([p.policies for p in projects], graph.column)
    open_policy = [not i.policies for i in investors]

    sector_column = _vocabulary([i.sectors for i in investors], [p.sectors for p in projects])
    sector_i = _incidence([i.sectors for i in investors], sector_column)
    sector_p = _incidence([p.sectors for p in projects], sector_column)
    open_sector = [not i.sectors for i in investors]

    stage_column = {stage: n for n, stage in enumerate(STAGES)}
    stage_i = _soft(_incidence([i.stages for i in investors], stage_column), _stage_similarity())
    stage_p = _incidence([(p.stage,) for p in projects], stage_column)

    instrument_column = {name: n for n, name in enumerate(INSTRUMENTS)}
    instrument_i = _incidence([i.instruments for i in investors], instrument_column)
    instrument_p = _incidence([p.instruments for p in projects], instrument_column)

    project_places = [_project_places(p) for p in projects]
    investor_places = [{_place_key(g) for g in i.geographies} for i in investors]
    place_column = _vocabulary(project_places)
    geography_i = _incidence(investor_places, place_column)
    geography_p = _incidence(project_places, place_column)

    pairings = {
        "policy_cover": _Pairing(
            with_flag(_soft(policy_i, graph.similarity), open_policy),
            with_flag(_share(policy_p), ones_p),
        ),
        "policy_focus": _Pairing(
            with_flag(_share(policy_i), open_policy),
            with_flag(_soft(policy_p, graph.similarity), ones_p),
        ),
        "sector_cover": _Pairing(
            with_flag(sector_i, open_sector), with_flag(_share(sector_p), ones_p)
        ),
        "sector_focus": _Pairing(
            with_flag(_share(sector_i), open_sector), with_flag(sector_p, ones_p)
        ),
        "stage": _Pairing(
            with_flag(stage_i, [not i.stages for i in investors]), with_flag(stage_p, ones_p)
        ),
        "instrument": _Pairing(
            with_flag(with_flag(instrument_i, [not i.instruments for i in investors]), ones_i),
            with_flag(with_flag(instrument_p, ones_p), [not p.instruments for p in projects]),
            capped=True,
        ),
        "geography": _Pairing(
            with_flag(geography_i, [not i.geographies for i in investors]),
            with_flag(geography_p, ones_p),
            capped=True,
        ),
    }
    groups: dict[str, int] = {}
    return _Encoded(
        pairings=pairings,
        investor_money=_money_ranges(
            [(i.ticket_min, i.ticket_max, i.currency) for i in investors], rates, groups
        ),
        project_money=_money_ranges(
            [(p.funding_min, p.funding_max, p.currency) for p in projects], rates, groups
        ),
        investor_text=text_model.vectors([i.thesis for i in investors]),
        project_text=text_model.vectors([_project_text(p) for p in projects]),
    )


# ---------------------------------------------------------------------------
# Dimension values: for whole matrices (ranking) and for listed pairs (the numbers shown)
# ---------------------------------------------------------------------------

_LOG_NEAR_MISS = math.log(MONEY_NEAR_MISS_FACTOR)


def _fade(gap: np.ndarray) -> np.ndarray:
    """Log distance between two ranges -> fit, in place: 1 when they overlap (distance <= 0),
    falling linearly to 0 at the near-miss factor."""
    np.maximum(gap, 0.0, out=gap)
    gap *= -1.0 / _LOG_NEAR_MISS
    gap += 1.0
    np.maximum(gap, 0.0, out=gap)
    return gap


def _money_fit(im: _MoneyRanges, pm: _MoneyRanges, inv: np.ndarray, proj: np.ndarray) -> np.ndarray:
    """Money fit of listed pairs; 0 where the currencies cannot be compared."""
    gap = np.maximum(pm.log_low[proj] - im.log_high[inv], im.log_low[inv] - pm.log_high[proj])
    return _fade(gap) * (im.group[inv] == pm.group[proj])


@dataclass(frozen=True)
class _PairValues:
    """Dimension values of listed pairs, and each pair's strongest shared words (-1 = none)."""

    dimensions: dict[str, np.ndarray]
    shared_words: np.ndarray


def _pair_values(encoded: _Encoded, inv: np.ndarray, proj: np.ndarray) -> _PairValues:
    """Every dimension for the listed pairs (row ``inv[n]`` with column ``proj[n]``)."""
    values: dict[str, np.ndarray] = {}
    for name, pairing in encoded.pairings.items():
        value = np.einsum("ij,ij->i", pairing.investors[inv], pairing.projects[proj])
        values[name] = np.minimum(value, 1.0) if pairing.capped else value
    values["money"] = _money_fit(encoded.investor_money, encoded.project_money, inv, proj)
    words = sp.csr_matrix(encoded.investor_text[inv].multiply(encoded.project_text[proj]))
    cosine = np.asarray(words.sum(axis=1)).ravel()
    values["cosine"] = cosine
    values["text"] = np.minimum(cosine / TEXT_FULL_MATCH, 1.0)
    return _PairValues(values, _strongest_columns(words, TEXT_REASON_WORDS))


def _strongest_columns(matrix: sp.csr_matrix, count: int) -> np.ndarray:
    """Per row, the columns of its ``count`` largest entries, largest first; -1 pads.

    One sort over all entries instead of one per row: reasons are made for many pairs.
    Entries are products of unit-vector weights, within (0, 1], so ``2 * row - entry``
    orders by row, then largest entry first; a stable sort keeps ties in column order.
    """
    matrix.sort_indices()
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    order = np.argsort(2.0 * rows - matrix.data, kind="stable")
    rank = np.arange(len(order)) - matrix.indptr[rows[order]]
    keep = rank < count
    strongest = np.full((matrix.shape[0], count), -1, dtype=np.int64)
    strongest[rows[order][keep], rank[keep]] = matrix.indices[order][keep]
    return strongest


def _harmonic_score(investor_fit: np.ndarray, project_fit: np.ndarray) -> np.ndarray:
    total = investor_fit + project_fit
    product = np.multiply(investor_fit, project_fit)
    product *= 200.0
    return np.divide(product, total, out=np.zeros_like(total), where=total > 0)


def _pair_scores(values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The shown scores: 0..100, one decimal."""
    investor_fit = sum(w * values[d] for d, w in INVESTOR_SIDE.items())
    project_fit = sum(w * values[d] for d, w in PROJECT_SIDE.items())
    return np.round(_harmonic_score(investor_fit, project_fit), 1)


def _dense32(matrix: np.ndarray | sp.spmatrix) -> np.ndarray:
    dense = matrix.toarray() if sp.issparse(matrix) else matrix
    return np.ascontiguousarray(dense, dtype=np.float32)


# Money compares in log space; giving each currency group its own far-apart band of that
# space lets the whole matrix be computed without a currency mask: ranges in different
# bands miss each other by far more than the near-miss factor. Logs of amounts stay
# within about -30..50, so 1000 apart is plenty and float32 keeps ~1e-4 precision.
_CURRENCY_BAND = 1000.0


def _banded(logs: np.ndarray, group: np.ndarray) -> np.ndarray:
    return (logs + _CURRENCY_BAND * group).astype(np.float32)


class _Ranking:
    """Scores of all pairs (investors x projects, float32), to rank them, not to show them.

    Everything that does not depend on the block of investor rows is prepared once; then
    ``block`` fills a few hundred rows at a time. Blocks keep every intermediate in cache
    (the whole matrix is 40 MB for 2,000 x 5,000, and a whole-matrix step would stream it
    through memory a dozen times; in blocks it runs about three times faster).
    """

    def __init__(self, encoded: _Encoded) -> None:
        pairings = encoded.pairings

        def side(weights: Mapping[str, float], linear: Sequence[str]) -> tuple[np.ndarray, ...]:
            # One product for all uncapped dimensions of one side, weights folded in.
            left = np.hstack([pairings[d].investors * weights[d] for d in linear])
            right = np.hstack([pairings[d].projects for d in linear])
            return _dense32(left), _dense32(right.T)

        self.investor_side = side(INVESTOR_SIDE, ("policy_cover", "sector_cover", "stage"))
        self.project_side = side(PROJECT_SIDE, ("policy_focus", "sector_focus", "stage"))
        self.capped = [
            (d, _dense32(pairings[d].investors), _dense32(pairings[d].projects.T))
            for d in ("instrument", "geography")
        ]
        im, pm = encoded.investor_money, encoded.project_money
        self.ticket_low, self.ticket_high = (
            _banded(im.log_low, im.group),
            _banded(im.log_high, im.group),
        )
        self.ask_low, self.ask_high = _banded(pm.log_low, pm.group), _banded(pm.log_high, pm.group)
        self._prepare_text(encoded.investor_text, encoded.project_text)

    def _prepare_text(self, theses: sp.csr_matrix, summaries: sp.csr_matrix) -> None:
        """Words used by many theses and many summaries would make a sparse product as full
        as a dense one but far slower, so those columns go through a dense BLAS product and
        only the rarer words through a sparse one."""
        in_theses = np.diff(sp.csc_matrix(theses).indptr)
        in_summaries = np.diff(sp.csc_matrix(summaries).indptr)
        work = in_theses.astype(np.float64) * in_summaries
        frequent = np.argsort(-work)[:DENSE_TEXT_COLUMNS]
        frequent = frequent[work[frequent] > 0]
        rare = np.setdiff1d(np.flatnonzero(work), frequent)
        self.theses_frequent = _dense32(theses[:, frequent])
        self.summaries_frequent = _dense32(summaries[:, frequent].T)
        self.theses_rare = sp.csr_matrix(theses[:, rare])
        self.summaries_rare = sp.csc_matrix(summaries[:, rare].T)

    def block(self, rows: slice, out: np.ndarray) -> None:
        """Scores of investor rows ``rows`` against all projects, into ``out``."""
        left, right = self.investor_side
        investor_fit = left[rows] @ right
        left, right = self.project_side
        project_fit = left[rows] @ right
        value = np.empty_like(investor_fit)
        scratch = np.empty_like(investor_fit)

        def add_shared(dimension: str) -> None:
            np.multiply(value, np.float32(INVESTOR_SIDE[dimension]), out=scratch)
            np.add(investor_fit, scratch, out=investor_fit)
            np.multiply(value, np.float32(PROJECT_SIDE[dimension]), out=scratch)
            np.add(project_fit, scratch, out=project_fit)

        for dimension, left, right in self.capped:
            np.matmul(left[rows], right, out=value)
            np.minimum(value, 1.0, out=value)
            add_shared(dimension)

        # Money: -(ticket_high - ask_low) is ask_low - ticket_high; the larger of the two
        # misses is the log distance between the ranges.
        np.subtract.outer(self.ticket_high[rows], self.ask_low, out=value)
        np.negative(value, out=value)
        np.subtract.outer(self.ticket_low[rows], self.ask_high, out=scratch)
        np.maximum(value, scratch, out=value)
        _fade(value)
        add_shared("money")

        np.matmul(self.theses_frequent[rows], self.summaries_frequent, out=value)
        if self.theses_rare.shape[1]:
            # A sparse product has no repeated cells, so fancy-index addition is exact.
            rest = sp.coo_matrix(self.theses_rare[rows] @ self.summaries_rare)
            value[rest.row, rest.col] += rest.data.astype(np.float32)
        value *= np.float32(1.0 / TEXT_FULL_MATCH)
        np.minimum(value, 1.0, out=value)
        add_shared("text")

        # Harmonic mean: both fits are >= 0, so a zero sum means a zero product.
        np.add(investor_fit, project_fit, out=value)
        np.maximum(value, np.float32(1e-12), out=value)
        investor_fit *= project_fit
        investor_fit *= np.float32(200.0)
        np.divide(investor_fit, value, out=out)


def _score_matrix(encoded: _Encoded) -> np.ndarray:
    """All pair scores, investors x projects, float32, block by block (see ``_Ranking``)."""
    ranking = _Ranking(encoded)
    investors, projects = ranking.investor_side[0].shape[0], ranking.ask_low.shape[0]
    scores = np.empty((investors, projects), dtype=np.float32)
    # About 1 MB per intermediate, so that a block's work stays in a core's L2 cache.
    height = max(16, (1 << 18) // max(projects, 1))
    # Each block's products are small: BLAS threads would spend more time waiting for one
    # another (spinning, and fighting the web workers for two cores) than multiplying.
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, investors, height):
            rows = slice(start, start + height)
            ranking.block(rows, scores[rows])
    return scores


# ---------------------------------------------------------------------------
# Reasons: human sentences for the pairs that are shown
# ---------------------------------------------------------------------------


def _join(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


# How much a dimension weighs in the shown score, to put the strongest reason first.
_SHOWN_WEIGHT: dict[str, float] = {
    d: (INVESTOR_SIDE.get(d, 0.0) + PROJECT_SIDE.get(d, 0.0)) / 2 for d in DIMENSIONS
}
_STAGE_POSITION = {stage: n for n, stage in enumerate(STAGES)}

Reason = tuple[float, str]


def _geography_sentences(geographies: Iterable[str]) -> dict[str, str]:
    """Place key -> "invests in Penang" in the investor's own words ("across ASEAN")."""
    return {
        _place_key(g): "invests across ASEAN" if _place_key(g) == _ASEAN_KEY else f"invests in {g}"
        for g in sorted(geographies)
    }


class _Explainer:
    """Builds the reasons of a pair from both profiles and its dimension values.

    Reasons only say what speaks for a pair, strongest first (by the dimension's share of
    the score), because a recommendation list answers "why this one?". Strings that do
    not depend on the pair (money ranges, place labels, link sentences) are made once:
    this runs for every listed pair, over a hundred thousand times in a large event.
    """

    def __init__(
        self,
        investors: Sequence[InvestorProfile],
        projects: Sequence[ProjectProfile],
        graph: PolicyGraph,
        text_model: TextModel,
    ) -> None:
        self.investors, self.projects, self.graph = investors, projects, graph
        self.terms: list[str] = [str(term) for term in text_model.terms]
        self.tickets = [
            format_money_range(i.ticket_min, i.ticket_max, i.currency) for i in investors
        ]
        self.asks = [format_money_range(p.funding_min, p.funding_max, p.currency) for p in projects]
        self.places = [_geography_sentences(i.geographies) for i in investors]
        self.project_places = [_project_places(p) for p in projects]
        order = {part_id: n for n, part_id in enumerate(graph.parts)}
        self.project_policies = [
            tuple(sorted((p for p in project.policies if p in order), key=order.__getitem__))
            for project in projects
        ]
        self.linked = {
            part: tuple(sorted(linked, key=order.__getitem__))
            for part, linked in graph.neighbours.items()
        }
        self.link_sentences = {
            (part, other): f"{graph.name(part)} links to {graph.label(other)}"
            for part, linked in self.linked.items()
            for other in linked
        }
        self.sentences: dict[tuple[str, ...], str] = {}

    def reasons(self, pair: _Evidence) -> tuple[str, ...]:
        investor, project = self.investors[pair.investor], self.projects[pair.project]
        found: list[Reason] = []
        self._policy(found, investor.policies, self.project_policies[pair.project], pair.policy)
        self._sector(found, investor, project, pair.sector)
        self._stage(found, investor, project, pair.stage)
        self._instrument(found, investor, project, pair.instrument)
        self._money(found, pair)
        self._geography(found, pair)
        self._text(found, pair)
        found.sort(key=itemgetter(0), reverse=True)  # stable: ties keep dimension order
        return tuple(map(itemgetter(1), found))

    def _sentence(self, *parts: str) -> str:
        """Memoised sentence from a few words: the same few sentences recur across pairs."""
        sentence = self.sentences.get(parts)
        if sentence is None:
            lead, *words = parts
            sentence = self.sentences[parts] = f"{lead}{_join(words)}"
        return sentence

    def _policy(
        self,
        found: list[Reason],
        wanted: frozenset[int],
        served: tuple[int, ...],
        weight: float,
    ) -> None:
        shared = [p for p in served if p in wanted]
        if shared:
            names = [self.graph.name(p) for p in shared]
            found.append((weight, self._sentence("both target ", *names)))
        links = 0
        for part in served:
            if links == 2:  # two links explain the match; more would bury the other reasons
                break
            if part not in wanted:
                other = next((o for o in self.linked[part] if o in wanted), None)
                if other is not None:
                    found.append((weight * 0.9, self.link_sentences[part, other]))
                    links += 1

    def _sector(
        self,
        found: list[Reason],
        investor: InvestorProfile,
        project: ProjectProfile,
        weight: float,
    ) -> None:
        shared = investor.sectors & project.sectors
        if shared:
            lead = "shared sector: " if len(shared) == 1 else "shared sectors: "
            found.append((weight, lead + ", ".join(sorted(shared))))

    def _stage(
        self,
        found: list[Reason],
        investor: InvestorProfile,
        project: ProjectProfile,
        weight: float,
    ) -> None:
        if project.stage in investor.stages:
            found.append((weight, f"both at {project.stage} stage"))
            return
        position = _STAGE_POSITION[project.stage]
        for near in (position - 1, position + 1):
            if 0 <= near < len(STAGES) and STAGES[near] in investor.stages:
                sentence = f"backs {STAGES[near]} projects; this one is at {project.stage}"
                found.append((weight, sentence))
                return

    def _instrument(
        self,
        found: list[Reason],
        investor: InvestorProfile,
        project: ProjectProfile,
        weight: float,
    ) -> None:
        shared = investor.instruments & project.instruments
        if shared:
            names = [name for name in INSTRUMENTS if name in shared]
            found.append((weight, self._sentence("both open to ", *names)))

    def _money(self, found: list[Reason], pair: _Evidence) -> None:
        if pair.money_fit > 0:
            verb = "fits" if pair.money_fit >= 1 else "is close to"
            ticket, ask = self.tickets[pair.investor], self.asks[pair.project]
            found.append((pair.money, f"ticket {ticket} {verb} a {ask} ask"))

    def _geography(self, found: list[Reason], pair: _Evidence) -> None:
        sentences = self.places[pair.investor]
        for place in self.project_places[pair.project]:  # most specific first
            sentence = sentences.get(place)
            if sentence is not None:
                found.append((pair.geography, sentence))
                return

    def _text(self, found: list[Reason], pair: _Evidence) -> None:
        if pair.cosine >= TEXT_REASON_MIN_COSINE:
            shared = [self.terms[t] for t in pair.words if t >= 0]
            found.append((pair.text, self._sentence("thesis and summary both mention ", *shared)))


class _Evidence(NamedTuple):
    """One listed pair: its rows, each dimension's weight in its score, and raw values the
    sentences need (money fit for "fits" vs "is close to", cosine, strongest shared words)."""

    investor: int
    project: int
    policy: float
    sector: float
    stage: float
    instrument: float
    money: float
    geography: float
    text: float
    money_fit: float
    cosine: float
    words: list[int]


def _evidence(values: _PairValues, inv: np.ndarray, proj: np.ndarray) -> Iterator[_Evidence]:
    d, w = values.dimensions, _SHOWN_WEIGHT
    weights = (
        w["policy_cover"] * d["policy_cover"] + w["policy_focus"] * d["policy_focus"],
        w["sector_cover"] * d["sector_cover"] + w["sector_focus"] * d["sector_focus"],
        *(w[name] * d[name] for name in ("stage", "instrument", "money", "geography", "text")),
        d["money"],
        d["cosine"],
        values.shared_words,
    )
    columns = [inv.tolist(), proj.tolist(), *(column.tolist() for column in weights)]
    return map(_Evidence._make, zip(*columns, strict=True))


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _check_unique(ids: Sequence[int], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique")


def _best_columns(matrix: np.ndarray, k: int, block: int = 256) -> np.ndarray:
    """Column indices of each row's k largest values, in no particular order.

    Row blocks keep argpartition's full-size index arrays small (they would be 80 MB).
    """
    rows, columns = matrix.shape
    if k >= columns:
        return np.broadcast_to(np.arange(columns), matrix.shape)
    best = np.empty((rows, k), dtype=np.int64)
    for start in range(0, rows, block):
        part = np.argpartition(matrix[start : start + block], columns - k, axis=1)
        best[start : start + block] = part[:, columns - k :]
    return best


def _explain_pairs(
    explainer: _Explainer, encoded: _Encoded, inv: np.ndarray, proj: np.ndarray
) -> tuple[list[float], list[tuple[str, ...]]]:
    """Scores and reasons of the listed pairs: the single place shown numbers come from."""
    values = _pair_values(encoded, inv, proj)
    scores = _pair_scores(values.dimensions).tolist()
    reasons = [
        explainer.reasons(pair) if score > 0 else ()
        for score, pair in zip(scores, _evidence(values, inv, proj), strict=True)
    ]
    return scores, reasons


def score_all(
    investors: Sequence[InvestorProfile],
    projects: Sequence[ProjectProfile],
    graph: PolicyGraph,
    *,
    top_k: int = 20,
    excluded: Collection[tuple[int, int]] = frozenset(),
    rates: Mapping[str, float] | None = None,
    text_model: TextModel | None = None,
) -> Recommendations:
    """For each investor its best ``top_k`` projects, for each project its best investors.

    ``excluded`` holds (investor_id, project_id) pairs someone marked "not interested":
    they are never recommended, either way. ``rates`` maps currency codes to the value of
    one major unit in a common currency; without it only same-currency money is compared.
    ``text_model`` defaults to one fitted on these profiles; it is returned so that
    ``explain`` can reproduce the same numbers. Pairs scoring 0 are not listed.
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    investors, projects = list(investors), list(projects)
    _check_unique([i.id for i in investors], "investor")
    _check_unique([p.id for p in projects], "project")
    model = text_model if text_model is not None else TextModel.fit(investors, projects)
    for_investors: dict[int, list[ProjectMatch]] = {i.id: [] for i in investors}
    for_projects: dict[int, list[InvestorMatch]] = {p.id: [] for p in projects}
    if not investors or not projects:
        return Recommendations(for_investors, for_projects, model)

    encoded = _encode(investors, projects, graph, model, rates)
    matrix = _score_matrix(encoded)
    _hide(matrix, excluded, investors, projects)

    width = len(projects)
    best_projects = _best_columns(matrix, top_k)
    best_investors = _best_columns(np.ascontiguousarray(matrix.T), top_k)
    # Pairs as keys investor_row * width + project_row: each side's picks, then their union.
    picked_by_investors = (np.arange(len(investors))[:, None] * width + best_projects).ravel()
    picked_by_projects = (best_investors * width + np.arange(width)[:, None]).ravel()
    keys = np.union1d(picked_by_investors, picked_by_projects)
    # Drops hidden pairs (-1) and pairs with nothing in common (0).
    keys = keys[matrix.ravel()[keys] > 0]
    listed_for_investor = np.isin(keys, picked_by_investors).tolist()
    listed_for_project = np.isin(keys, picked_by_projects).tolist()
    inv, proj = keys // width, keys % width

    explainer = _Explainer(investors, projects, graph, model)
    scores, reasons = _explain_pairs(explainer, encoded, inv, proj)
    for n, (i, p) in enumerate(zip(inv.tolist(), proj.tolist(), strict=True)):
        if scores[n] <= 0:
            continue
        investor_id, project_id = investors[i].id, projects[p].id
        if listed_for_investor[n]:
            for_investors[investor_id].append(ProjectMatch(project_id, scores[n], reasons[n]))
        if listed_for_project[n]:
            for_projects[project_id].append(InvestorMatch(investor_id, scores[n], reasons[n]))
    for matches in for_investors.values():
        matches.sort(key=lambda m: (-m.score, m.project_id))
    for matches in for_projects.values():
        matches.sort(key=lambda m: (-m.score, m.investor_id))
    return Recommendations(for_investors, for_projects, model)


def _hide(
    matrix: np.ndarray,
    excluded: Collection[tuple[int, int]],
    investors: Sequence[InvestorProfile],
    projects: Sequence[ProjectProfile],
) -> None:
    """Marks "not interested" pairs with -1 so that no top-k pick can show them."""
    investor_row = {i.id: n for n, i in enumerate(investors)}
    project_column = {p.id: n for n, p in enumerate(projects)}
    cells = [
        (investor_row[i], project_column[p])
        for i, p in excluded
        if i in investor_row and p in project_column
    ]
    if cells:
        rows, columns = zip(*cells, strict=True)
        matrix[list(rows), list(columns)] = -1.0


def explain(
    investor: InvestorProfile,
    project: ProjectProfile,
    graph: PolicyGraph,
    *,
    text_model: TextModel | None = None,
    rates: Mapping[str, float] | None = None,
) -> tuple[float, tuple[str, ...]]:
    """The score (0..100) and reasons of one pair, for a detail page.

    Pass ``Recommendations.text_model`` to get exactly the numbers ``score_all`` listed;
    without it the text similarity is fitted on these two texts alone.
    """
    model = text_model if text_model is not None else TextModel.fit([investor], [project])
    encoded = _encode([investor], [project], graph, model, rates)
    explainer = _Explainer([investor], [project], graph, model)
    scores, reasons = _explain_pairs(explainer, encoded, np.array([0]), np.array([0]))
    return scores[0], reasons[0]
