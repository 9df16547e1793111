"""Matchmaking rules: taxonomy, projects and moderation, theses, recommendations, meetings.

Each public function is one transaction: it commits on success and raises a DomainError
(changing nothing) when a rule says no. Scoring and scheduling are pure modules
(scoring.py, scheduler.py); this module turns rows into their plain inputs and back.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..core import services as core
from ..core.models import Event, Role, User
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..timeutil import local_to_utc, to_local, utcnow
from . import crosswalk, scheduler, scoring
from .models import (
    Attendance,
    FollowUp,
    Framework,
    InvestorThesis,
    MatchmakingSettings,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    NotInterested,
    Policy,
    PolicyLink,
    Project,
    ProjectStatus,
    ReminderSent,
    RequestStatus,
    RunStatus,
    SchedulerRun,
    project_policies,
    thesis_policies,
)

log = logging.getLogger(__name__)

STAGES = scoring.STAGES
INSTRUMENTS = scoring.INSTRUMENTS
INVESTOR_TYPES = ("development bank", "sovereign fund", "venture capital", "private equity",
                  "infrastructure fund", "corporate", "government fund", "impact fund")
MAX_SECTORS = 12
MAX_LINKS = 5
SLOT_LIMIT = 2000

# ---------------------------------------------------------------- settings


def settings(event: Event) -> MatchmakingSettings:
    found = db.session.get(MatchmakingSettings, event.id)
    if found is None:
        found = MatchmakingSettings(event_id=event.id, pending_cap=10, link_strength=0.6,
                                    scheduler_seconds=30)
        db.session.add(found)
        db.session.flush()
    return found


def update_settings(actor: User, event: Event, *, pending_cap: int,
                    scheduler_seconds: int) -> MatchmakingSettings:
    if not 1 <= pending_cap <= 500:
        raise Invalid("The cap on pending requests is between 1 and 500.", code="cap_invalid")
    if not 5 <= scheduler_seconds <= 600:
        raise Invalid("Give the scheduler between 5 and 600 seconds.",
                      code="time_limit_invalid")
    found = settings(event)
    found.pending_cap, found.scheduler_seconds = pending_cap, scheduler_seconds
    core.audit(actor, event, "matchmaking.settings",
               details={"pending_cap": pending_cap, "scheduler_seconds": scheduler_seconds})
    db.session.commit()
    return found


# ---------------------------------------------------------------- taxonomy


def seed_taxonomy(event: Event, *, commit: bool = True) -> int:
    """Frameworks, parts and cross-walk links from crosswalk.py; adds only what is missing."""
    added = 0
    ids: dict[crosswalk.PartKey, int] = {}
    for position, spec in enumerate(crosswalk.FRAMEWORKS):
        framework = db.session.scalar(sa.select(Framework).where(
            Framework.event_id == event.id, Framework.code == spec.code))
        if framework is None:
            framework = Framework(event_id=event.id, code=spec.code, name=spec.name,
                                  source=spec.source, position=position)
            db.session.add(framework)
            db.session.flush()
            added += 1
        for n, name in enumerate(spec.parts):
            policy = db.session.scalar(sa.select(Policy).where(
                Policy.framework_id == framework.id, Policy.name == name))
            if policy is None:
                policy = Policy(event_id=event.id, framework_id=framework.id, name=name,
                                position=n)
                db.session.add(policy)
                db.session.flush()
                added += 1
            ids[(spec.code, name)] = policy.id
    for a, b in crosswalk.DEFAULT_LINKS:
        low, high = sorted((ids[a], ids[b]))
        exists = db.session.scalar(sa.select(PolicyLink.id).where(
            PolicyLink.policy_a_id == low, PolicyLink.policy_b_id == high))
        if exists is None:
            db.session.add(PolicyLink(event_id=event.id, policy_a_id=low, policy_b_id=high))
            added += 1
    if commit:
        db.session.commit()
    return added


def _ensure_taxonomy(event: Event) -> None:
    if db.session.scalar(sa.select(Framework.id).where(Framework.event_id == event.id)
                         .limit(1)) is None:
        seed_taxonomy(event)


def frameworks(event: Event) -> list[Framework]:
    _ensure_taxonomy(event)
    return list(db.session.scalars(sa.select(Framework).where(Framework.event_id == event.id)
                                   .order_by(Framework.position, Framework.id)))


def policies(event: Event) -> list[Policy]:
    _ensure_taxonomy(event)
    return list(db.session.scalars(
        sa.select(Policy).join(Framework).where(Policy.event_id == event.id)
        .order_by(Framework.position, Framework.id, Policy.position, Policy.id)))


def links(event: Event) -> list[PolicyLink]:
    return list(db.session.scalars(sa.select(PolicyLink).where(PolicyLink.event_id == event.id)
                                   .order_by(PolicyLink.policy_a_id, PolicyLink.policy_b_id)))


def policies_by_ids(event: Event, ids) -> list[Policy]:
    """The event's policies with these ids; an unknown id (or another event's) is refused."""
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        return []
    found = list(db.session.scalars(sa.select(Policy).where(Policy.event_id == event.id,
                                                            Policy.id.in_(wanted))))
    missing = wanted - {p.id for p in found}
    if missing:
        raise Invalid(f"Unknown policy {', '.join(map(str, sorted(missing)))}: choose from the "
                      "event's policy frameworks.", code="policy_unknown")
    return found


def _policy(event: Event, policy_id: int) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.event_id != event.id:
        raise NotFound("No such policy in this event.", code="policy_not_found")
    return policy


def add_framework(actor: User, event: Event, code: str, name: str) -> Framework:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{1,31}", code):
        raise Invalid("A framework code takes capitals, digits, - and _, e.g. SDG.",
                      code="framework_code_invalid")
    if not (name or "").strip():
        raise Invalid("Give the framework a name.", code="name_required")
    if db.session.scalar(sa.select(Framework.id).where(Framework.event_id == event.id,
                                                       Framework.code == code)):
        raise Conflict(f"The framework {code} already exists.", code="framework_exists")
    position = (db.session.scalar(sa.select(sa.func.max(Framework.position))
                                  .where(Framework.event_id == event.id)) or 0) + 1
    framework = Framework(event_id=event.id, code=code, name=name.strip(), position=position)
    db.session.add(framework)
    core.audit(actor, event, "matchmaking.framework.add", target=code)
    db.session.commit()
    return framework


def add_policy(actor: User, event: Event, framework_id: int, name: str) -> Policy:
    framework = db.session.get(Framework, framework_id)
    if framework is None or framework.event_id != event.id:
        raise NotFound("No such framework in this event.", code="framework_not_found")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("Give the part a name (up to 200 characters).", code="name_required")
    if any(p.name.lower() == name.lower() for p in framework.policies):
        raise Conflict(f"{framework.code} already has “{name}”.", code="policy_exists")
    policy = Policy(event_id=event.id, framework_id=framework.id, name=name,
                    position=len(framework.policies))
    db.session.add(policy)
    core.audit(actor, event, "matchmaking.policy.add", target=f"{framework.code}: {name}")
    db.session.commit()
    return policy


def rename_policy(actor: User, event: Event, policy_id: int, name: str) -> Policy:
    policy = _policy(event, policy_id)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("Give the part a name (up to 200 characters).", code="name_required")
    if any(p.id != policy.id and p.name.lower() == name.lower()
           for p in policy.framework.policies):
        raise Conflict(f"{policy.framework.code} already has “{name}”.", code="policy_exists")
    core.audit(actor, event, "matchmaking.policy.rename", target=policy.label,
               details={"to": name})
    policy.name = name
    db.session.commit()
    return policy


def add_link(actor: User, event: Event, policy_a_id: int, policy_b_id: int) -> PolicyLink:
    a, b = _policy(event, policy_a_id), _policy(event, policy_b_id)
    if a.framework_id == b.framework_id:
        raise Invalid("A cross-walk link joins parts of two different frameworks.",
                      code="link_same_framework")
    low, high = sorted((a.id, b.id))
    if db.session.scalar(sa.select(PolicyLink.id).where(PolicyLink.policy_a_id == low,
                                                        PolicyLink.policy_b_id == high)):
        raise Conflict(f"{a.label} and {b.label} are already linked.", code="link_exists")
    link = PolicyLink(event_id=event.id, policy_a_id=low, policy_b_id=high)
    db.session.add(link)
    core.audit(actor, event, "matchmaking.link.add", target=f"{a.label} ~ {b.label}")
    db.session.commit()
    return link


def remove_link(actor: User, event: Event, link_id: int) -> None:
    link = db.session.get(PolicyLink, link_id)
    if link is None or link.event_id != event.id:
        raise NotFound("No such link in this event.", code="link_not_found")
    core.audit(actor, event, "matchmaking.link.remove",
               target=f"{link.policy_a.label} ~ {link.policy_b.label}")
    db.session.delete(link)
    db.session.commit()


# ---------------------------------------------------------------- common checks


def _clean_list(values, *, limit: int, what: str) -> list[str]:
    out: list[str] = []
    for value in values or ():
        text = str(value).strip()
        if text and text.lower() not in {o.lower() for o in out}:
            out.append(text[:60])
    if len(out) > limit:
        raise Invalid(f"At most {limit} {what}.", code=f"too_many_{what}")
    return out


def _choices(values, allowed, what: str) -> list[str]:
    by_lower = {a.lower(): a for a in allowed}
    out = []
    for value in values or ():
        key = str(value).strip().lower()
        if key not in by_lower:
            raise Invalid(f"Unknown {what} {value!r}; choose from {', '.join(allowed)}.",
                          code=f"{what}_unknown")
        if by_lower[key] not in out:
            out.append(by_lower[key])
    return out


def _money_range(low, high, currency: str, what: str) -> tuple[int, int, str]:
    currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise Invalid("Currency is a three-letter code such as MYR.", code="currency_invalid")
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError) as error:
        raise Invalid(f"The {what} needs a minimum and a maximum.",
                      code=f"{what}_range_invalid") from error
    if low < 0 or high < 0:
        raise Invalid(f"The {what} cannot be negative.", code=f"{what}_range_invalid")
    if low > high:
        raise Invalid(f"The {what} minimum is above its maximum.", code=f"{what}_min_above_max")
    if high == 0:
        raise Invalid(f"Give the {what} as an amount above zero.", code=f"{what}_range_invalid")
    return low, high, currency


def _links(values) -> list[str]:
    out = []
    for value in values or ():
        text = str(value).strip()
        if not text:
            continue
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", text) or len(text) > 300:
            raise Invalid(f"{text!r} is not a web address (https://…).", code="link_invalid")
        out.append(text)
    if len(out) > MAX_LINKS:
        raise Invalid(f"At most {MAX_LINKS} links.", code="too_many_links")
    return out


# ---------------------------------------------------------------- projects


def can_post_project(user, event: Event) -> bool:
    """Any registered participant: a role in the event or a registration."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if core.has_role(user, event):
        return True
    from ..registration.models import Registration

    return db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.user_id == user.id).limit(1)) is not None


PROJECT_FIELDS = ("title", "summary", "organisation", "city", "state", "country", "policy_ids",
                  "sectors", "stage", "funding_min", "funding_max", "currency", "instruments",
                  "links")


def _project_values(event: Event, fields: dict) -> tuple[dict, list[Policy]]:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown project fields: {', '.join(sorted(unknown))}.")
    title = (fields.get("title") or "").strip()
    summary = (fields.get("summary") or "").strip()
    if not 3 <= len(title) <= 200:
        raise Invalid("Give the project a title (3 to 200 characters).", code="title_required")
    if not 20 <= len(summary) <= 5000:
        raise Invalid("Describe the project in 20 to 5,000 characters.",
                      code="summary_required")
    city, country = (fields.get("city") or "").strip(), (fields.get("country") or "").strip()
    if not city or not country:
        raise Invalid("Give the project's city and country.", code="place_required")
    stage = (fields.get("stage") or "").strip().lower()
    if stage not in STAGES:
        raise Invalid(f"Choose a stage: {', '.join(STAGES)}.", code="stage_unknown")
    policy_list = policies_by_ids(event, fields.get("policy_ids"))
    if not policy_list:
        raise Invalid("Choose at least one policy the project serves.", code="policy_required")
    low, high, currency = _money_range(fields.get("funding_min"), fields.get("funding_max"),
                                       fields.get("currency") or event.currency, "funding")
    values = dict(title=title, summary=summary,
                  organisation=(fields.get("organisation") or "").strip() or None,
                  city=city[:100], state=(fields.get("state") or "").strip()[:100] or None,
                  country=country[:100], stage=stage,
                  sectors=[s.lower() for s in _clean_list(fields.get("sectors"),
                                                          limit=MAX_SECTORS, what="sectors")],
                  funding_min=low, funding_max=high, currency=currency,
                  instruments=_choices(fields.get("instruments"), INSTRUMENTS, "instrument"),
                  links=_links(fields.get("links")))
    return values, policy_list


def create_project(user: User, event: Event, **fields) -> Project:
    if not can_post_project(user, event):
        raise Forbidden("Register for the event to post a project.", code="registration_required")
    values, policy_list = _project_values(event, fields)
    project = Project(event_id=event.id, owner_id=user.id, status=ProjectStatus.PENDING, **values)
    project.policies = policy_list
    db.session.add(project)
    db.session.flush()
    core.audit(user, event, "matchmaking.project.create", target=f"project {project.id}")
    db.session.commit()
    return project


def update_project(user: User, event: Event, project: Project, **fields) -> Project:
    _own_project(user, event, project)
    values, policy_list = _project_values(event, fields)
    for key, value in values.items():
        setattr(project, key, value)
    project.policies = policy_list
    if project.status in (ProjectStatus.APPROVED, ProjectStatus.REJECTED):
        # An edited project goes back to the organisers before it is public again.
        project.status = ProjectStatus.PENDING
    db.session.commit()
    return project


def _own_project(user: User, event: Event, project: Project) -> None:
    if project.event_id != event.id:
        raise NotFound("No such project.", code="project_not_found")
    if project.owner_id != user.id:
        raise Forbidden("Only the project's owner can change it.", code="not_your_project")


def moderate_project(actor: User, event: Event, project_id: int, decision: str,
                     note: str | None = None) -> Project:
    project = project_by_id(event, project_id)
    if decision not in (ProjectStatus.APPROVED, ProjectStatus.REJECTED):
        raise Invalid("Approve or reject.", code="decision_unknown")
    if decision == ProjectStatus.REJECTED and not (note or "").strip():
        raise Invalid("Tell the owner why the project is not published.", code="note_required")
    project.status = decision
    project.moderation_note = (note or "").strip()[:500] or None
    core.audit(actor, event, f"matchmaking.project.{decision}", target=project.title)
    db.session.commit()
    return project


def withdraw_project(user: User, event: Event, project: Project) -> Project:
    _own_project(user, event, project)
    project.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    return project


def project_by_id(event: Event, project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or project.event_id != event.id:
        raise NotFound("No such project.", code="project_not_found")
    return project


def visible_project(user, event: Event, project_id: int) -> Project:
    """Public once approved; before that only its owner and the organisers see it."""
    project = project_by_id(event, project_id)
    if project.is_public:
        return project
    if user is not None and getattr(user, "is_authenticated", False) and (
            project.owner_id == user.id or core.has_role(user, event, Role.ORGANISER)):
        return project
    raise NotFound("No such project.", code="project_not_found")


def projects(event: Event, *, status: str | None = ProjectStatus.APPROVED,
             policy_id: int | None = None, q: str | None = None) -> list[Project]:
    query = sa.select(Project).where(Project.event_id == event.id)
    if status:
        query = query.where(Project.status == status)
    if policy_id:
        query = query.where(Project.id.in_(sa.select(project_policies.c.project_id).where(
            project_policies.c.policy_id == policy_id)))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(Project.title.ilike(like), Project.summary.ilike(like),
                                   Project.city.ilike(like)))
    return list(db.session.scalars(query.order_by(Project.created_at.desc(), Project.id.desc())))


def my_projects(user: User, event: Event) -> list[Project]:
    return list(db.session.scalars(sa.select(Project).where(
        Project.event_id == event.id, Project.owner_id == user.id).order_by(Project.id)))


def moderation_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(sa.select(Project.status, sa.func.count())
                              .where(Project.event_id == event.id).group_by(Project.status))
    return {status: n for status, n in rows}


# ---------------------------------------------------------------- investor theses


THESIS_FIELDS = ("organisation", "investor_type", "policy_ids", "sectors", "stages",
                 "ticket_min", "ticket_max", "currency", "instruments", "geographies", "thesis")


def thesis_of(user, event: Event) -> InvestorThesis | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(InvestorThesis).where(
        InvestorThesis.event_id == event.id, InvestorThesis.user_id == user.id))


def thesis_by_id(event: Event, thesis_id: int) -> InvestorThesis:
    thesis = db.session.get(InvestorThesis, thesis_id)
    if thesis is None or thesis.event_id != event.id:
        raise NotFound("No such investor.", code="investor_not_found")
    return thesis


def save_thesis(user: User, event: Event, **fields) -> InvestorThesis:
    """Create or replace the investor's thesis for this event."""
    core.require_role(user, event, Role.INVESTOR)
    unknown = set(fields) - set(THESIS_FIELDS)
    if unknown:
        raise Invalid(f"Unknown thesis fields: {', '.join(sorted(unknown))}.")
    organisation = (fields.get("organisation") or user.organisation or "").strip()
    if not organisation:
        raise Invalid("Name the fund, bank or company you invest for.",
                      code="organisation_required")
    investor_type = (fields.get("investor_type") or "fund").strip().lower()[:40]
    policy_list = policies_by_ids(event, fields.get("policy_ids"))
    low, high, currency = _money_range(fields.get("ticket_min"), fields.get("ticket_max"),
                                       fields.get("currency") or event.currency, "ticket")
    stages = _choices([s.lower() for s in fields.get("stages") or ()], STAGES, "stage")
    text = (fields.get("thesis") or "").strip()
    if len(text) > 5000:
        raise Invalid("Keep the thesis under 5,000 characters.", code="thesis_too_long")
    thesis = thesis_of(user, event) or InvestorThesis(event_id=event.id, user_id=user.id)
    thesis.organisation, thesis.investor_type = organisation[:200], investor_type
    thesis.sectors = [s.lower() for s in _clean_list(fields.get("sectors"), limit=MAX_SECTORS,
                                                     what="sectors")]
    thesis.stages = stages
    thesis.ticket_min, thesis.ticket_max, thesis.currency = low, high, currency
    thesis.instruments = _choices(fields.get("instruments"), INSTRUMENTS, "instrument")
    thesis.geographies = _clean_list(fields.get("geographies"), limit=20, what="geographies")
    thesis.thesis = text
    thesis.policies = policy_list
    db.session.add(thesis)
    db.session.commit()
    return thesis


def theses(event: Event) -> list[InvestorThesis]:
    return list(db.session.scalars(sa.select(InvestorThesis).where(
        InvestorThesis.event_id == event.id).order_by(InvestorThesis.organisation)))


# ---------------------------------------------------------------- recommendations


@dataclass
class _Scored:
    fingerprint: tuple
    graph: scoring.PolicyGraph
    investors: dict[int, scoring.InvestorProfile]
    projects: dict[int, scoring.ProjectProfile]
    result: scoring.Recommendations


_cache: dict[tuple[str, int], _Scored] = {}
_cache_lock = threading.Lock()


def _fingerprint(event: Event) -> tuple:
    def stamp(model, *extra):
        row = db.session.execute(sa.select(sa.func.count(), sa.func.max(model.updated_at))
                                 .where(model.event_id == event.id, *extra)).one()
        return tuple(row)

    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)
                                .where(m.event_id == event.id))
              for m in (NotInterested, PolicyLink, Policy)]
    names = db.session.scalar(sa.select(sa.func.sum(sa.func.length(Policy.name)))
                              .where(Policy.event_id == event.id))
    return (stamp(Project, Project.status == ProjectStatus.APPROVED), stamp(InvestorThesis),
            *counts, names, settings(event).link_strength)


def _graph(event: Event, link_strength: float) -> scoring.PolicyGraph:
    parts = {p.id: (p.framework.code, p.name) for p in policies(event)}
    pairs = [(link.policy_a_id, link.policy_b_id) for link in links(event)]
    return scoring.PolicyGraph(parts, pairs, link_strength=link_strength)


def project_profile(project: Project) -> scoring.ProjectProfile:
    return scoring.ProjectProfile(
        id=project.id, title=project.title, summary=project.summary, city=project.city,
        state=project.state or "", country=project.country,
        policies=frozenset(p.id for p in project.policies), sectors=project.sectors,
        stage=project.stage, funding_min=project.funding_min, funding_max=project.funding_max,
        currency=project.currency, instruments=project.instruments)


def investor_profile(thesis: InvestorThesis) -> scoring.InvestorProfile:
    return scoring.InvestorProfile(
        id=thesis.id, policies=frozenset(p.id for p in thesis.policies), sectors=thesis.sectors,
        stages=thesis.stages, ticket_min=thesis.ticket_min, ticket_max=thesis.ticket_max,
        currency=thesis.currency, instruments=thesis.instruments,
        geographies=thesis.geographies, thesis=thesis.thesis)


def scored(event: Event) -> _Scored:
    """The event's recommendations, recomputed only when an input changed (cached per event)."""
    _ensure_taxonomy(event)
    fingerprint = _fingerprint(event)
    key = (db.engine.url.render_as_string(hide_password=True), event.id)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit.fingerprint == fingerprint:
            return hit
    graph = _graph(event, settings(event).link_strength)
    investor_rows = theses(event)
    project_rows = projects(event)
    investors = {t.id: investor_profile(t) for t in investor_rows}
    project_map = {p.id: project_profile(p) for p in project_rows}
    excluded = {tuple(row) for row in db.session.execute(
        sa.select(NotInterested.thesis_id, NotInterested.project_id)
        .where(NotInterested.event_id == event.id))}
    result = scoring.score_all(list(investors.values()), list(project_map.values()), graph,
                               top_k=20, excluded=excluded)
    entry = _Scored(fingerprint, graph, investors, project_map, result)
    with _cache_lock:
        _cache[key] = entry
    return entry


@dataclass
class Recommendation:
    score: float
    reasons: tuple[str, ...]
    project: Project | None = None
    thesis: InvestorThesis | None = None
    request: MeetingRequest | None = None


def _requests_by_pair(event: Event, *, thesis_id=None, project_id=None) -> dict:
    query = sa.select(MeetingRequest).where(MeetingRequest.event_id == event.id)
    if thesis_id is not None:
        query = query.where(MeetingRequest.thesis_id == thesis_id)
    if project_id is not None:
        query = query.where(MeetingRequest.project_id == project_id)
    return {(r.thesis_id, r.project_id): r for r in db.session.scalars(query)}


def recommendations_for_thesis(event: Event, thesis: InvestorThesis) -> list[Recommendation]:
    matches = scored(event).result.for_investors.get(thesis.id, [])
    rows = {p.id: p for p in db.session.scalars(sa.select(Project).where(
        Project.id.in_([m.project_id for m in matches])))}
    requests = _requests_by_pair(event, thesis_id=thesis.id)
    return [Recommendation(m.score, m.reasons, project=rows[m.project_id],
                           request=requests.get((thesis.id, m.project_id)))
            for m in matches if m.project_id in rows]


def recommendations_for_project(event: Event, project: Project) -> list[Recommendation]:
    matches = scored(event).result.for_projects.get(project.id, [])
    rows = {t.id: t for t in db.session.scalars(sa.select(InvestorThesis).where(
        InvestorThesis.id.in_([m.investor_id for m in matches])))}
    requests = _requests_by_pair(event, project_id=project.id)
    return [Recommendation(m.score, m.reasons, thesis=rows[m.investor_id],
                           request=requests.get((m.investor_id, project.id)))
            for m in matches if m.investor_id in rows]


def explain_pair(event: Event, thesis: InvestorThesis, project: Project) -> tuple[float, tuple]:
    """The same score and reasons the lists show (same text model), for a detail page."""
    state = scored(event)
    investor = state.investors.get(thesis.id) or investor_profile(thesis)
    profile = state.projects.get(project.id) or project_profile(project)
    return scoring.explain(investor, profile, state.graph, text_model=state.result.text_model)


def mark_not_interested(user: User, event: Event, thesis_id: int, project_id: int) -> None:
    thesis, project = thesis_by_id(event, thesis_id), project_by_id(event, project_id)
    if user.id not in (thesis.user_id, project.owner_id):
        raise Forbidden("Only the investor or the project's owner can hide this pair.",
                        code="not_your_pair")
    exists = db.session.scalar(sa.select(NotInterested.id).where(
        NotInterested.thesis_id == thesis.id, NotInterested.project_id == project.id))
    if exists is None:
        db.session.add(NotInterested(event_id=event.id, thesis_id=thesis.id,
                                     project_id=project.id, by_user_id=user.id))
        try:
            db.session.commit()
        except IntegrityError:  # hidden by the other side at the same moment: same outcome
            db.session.rollback()


# ---------------------------------------------------------------- meeting requests


def _pair_for(user: User, event: Event, thesis_id: int | None,
              project_id: int | None) -> tuple[InvestorThesis, Project, User]:
    """Which thesis and project a request joins, and who receives it."""
    if project_id is None:
        raise Invalid("Say which project the meeting is about.", code="project_required")
    project = project_by_id(event, project_id)
    own_thesis = thesis_of(user, event)
    if thesis_id is None:
        if own_thesis is None:
            raise Invalid("Say which investor to meet.", code="investor_required")
        thesis = own_thesis
    else:
        thesis = thesis_by_id(event, thesis_id)
    if thesis.user_id == project.owner_id:
        raise Invalid("You cannot request a meeting with yourself.", code="request_to_self")
    if user.id == thesis.user_id:
        recipient = project.owner
        if not project.is_public:
            raise NotFound("No such project.", code="project_not_found")
    elif user.id == project.owner_id:
        recipient = thesis.user
        if not project.is_public:
            raise Invalid("Your project must be approved by the organisers first.",
                          code="project_not_public")
    else:
        raise Forbidden("Request meetings for your own thesis or your own project.",
                        code="not_your_pair")
    return thesis, project, recipient


def request_meeting(user: User, event: Event, *, project_id: int | None,
                    thesis_id: int | None = None, message: str = "") -> MeetingRequest:
    thesis, project, recipient = _pair_for(user, event, thesis_id, project_id)
    message = (message or "").strip()
    if len(message) > 2000:
        raise Invalid("Keep the message under 2,000 characters.", code="message_too_long")
    existing = db.session.scalar(sa.select(MeetingRequest).where(
        MeetingRequest.thesis_id == thesis.id, MeetingRequest.project_id == project.id))
    if existing is not None:
        raise Conflict(f"There is already a meeting request between {thesis.organisation} and "
                       f"“{project.title}” ({existing.status}).", code="duplicate_request")
    cap = settings(event).pending_cap
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.requester_id == user.id,
        MeetingRequest.status == RequestStatus.PENDING))
    if pending >= cap:
        raise Conflict(f"You have {pending} requests waiting for an answer, the most this event "
                       "allows; wait for answers or cancel one.", code="pending_cap_reached")
    score, _reasons = explain_pair(event, thesis, project)
    request = MeetingRequest(event_id=event.id, thesis_id=thesis.id, project_id=project.id,
                             requester_id=user.id, recipient_id=recipient.id, message=message,
                             score=round(score, 2))
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError as error:  # the other side asked at the same moment
        db.session.rollback()
        raise Conflict("There is already a meeting request for this pair.",
                       code="duplicate_request") from error
    _notify(recipient, "Meeting request", "mm_request", event=event, request=request,
            sender=user)
    db.session.commit()
    return request


def request_by_id(event: Event, request_id: int) -> MeetingRequest:
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.event_id != event.id:
        raise NotFound("No such meeting request.", code="request_not_found")
    return request


def _party_request(user: User, event: Event, request_id: int) -> MeetingRequest:
    """A request the user takes part in; others' requests answer 404."""
    request = request_by_id(event, request_id)
    if user.id not in (request.requester_id, request.recipient_id) and not core.has_role(
            user, event, Role.ORGANISER):
        raise NotFound("No such meeting request.", code="request_not_found")
    return request


def respond(user: User, event: Event, request_id: int, *, accept: bool) -> MeetingRequest:
    request = _party_request(user, event, request_id)
    if request.recipient_id != user.id:
        raise Forbidden("Only the person who received this request can answer it.",
                        code="not_your_request")
    new = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    # Conditional: two clicks (or two tabs) answer once.
    changed = db.session.execute(
        sa.update(MeetingRequest).where(MeetingRequest.id == request.id,
                                        MeetingRequest.status == RequestStatus.PENDING)
        .values(status=new, responded_at=utcnow())).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict(f"This request was already {request.status}.", code="already_answered")
    db.session.refresh(request)
    _notify(request.requester, "Meeting accepted" if accept else "Meeting declined",
            "mm_answer", event=event, request=request, sender=user)
    db.session.commit()
    return request


def cancel_request(user: User, event: Event, request_id: int) -> MeetingRequest:
    request = _party_request(user, event, request_id)
    if user.id not in (request.requester_id, request.recipient_id):
        raise Forbidden("Only the two people can cancel.", code="not_your_request")
    if request.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise Conflict(f"This request is already {request.status}.", code="already_answered")
    _free_table(request)
    request.status = RequestStatus.CANCELLED
    db.session.commit()
    return request


def requests_of(user: User, event: Event) -> dict[str, list[MeetingRequest]]:
    rows = list(db.session.scalars(sa.select(MeetingRequest).where(
        MeetingRequest.event_id == event.id,
        sa.or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))
        .order_by(MeetingRequest.created_at.desc())))
    out: dict[str, list[MeetingRequest]] = {"incoming": [], "outgoing": [], "meetings": [],
                                            "closed": []}
    for r in rows:
        if r.status == RequestStatus.ACCEPTED:
            out["meetings"].append(r)
        elif r.status == RequestStatus.PENDING:
            out["incoming" if r.recipient_id == user.id else "outgoing"].append(r)
        else:
            out["closed"].append(r)
    out["meetings"].sort(key=lambda r: (r.slot.starts_at if r.slot else datetime.max.replace(
        tzinfo=utcnow().tzinfo), r.id))
    return out


def meetings_of(user: User, event: Event) -> list[MeetingRequest]:
    return requests_of(user, event)["meetings"]


def _notify(user: User, subject: str, template: str, **context) -> None:
    from ..core import mail

    try:
        mail.send_template(user.email, f"{context['event'].name}: {subject}",
                           template, user=user, **context)
    except Exception:  # a mail server hiccup must not lose the request itself
        log.exception("could not send %s to %s", template, user.email)


# ---------------------------------------------------------------- slots


def slots(event: Event) -> list[MeetingSlot]:
    return list(db.session.scalars(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id)
                                   .order_by(MeetingSlot.starts_at, MeetingSlot.id)))


def slot_usage(event: Event) -> dict[int, int]:
    rows = db.session.execute(sa.select(MeetingRequest.slot_id, sa.func.count())
                              .where(MeetingRequest.event_id == event.id,
                                     MeetingRequest.slot_id.is_not(None))
                              .group_by(MeetingRequest.slot_id))
    return {slot_id: n for slot_id, n in rows}


def create_slot_series(actor: User, event: Event, *, days: list[date], start: time, end: time,
                       minutes: int, tables: int, gap_minutes: int = 0,
                       location: str = "Business-matching lounge") -> list[MeetingSlot]:
    """Back-to-back slots of `minutes` (plus an optional changeover gap) from start to end."""
    if not days:
        raise Invalid("Choose at least one day.", code="days_required")
    outside = [d for d in days if not event.starts_on <= d <= event.ends_on]
    if outside:
        raise Invalid(f"{outside[0]:%d %b %Y} is not a day of the event.",
                      code="day_outside_event")
    if not 5 <= minutes <= 240:
        raise Invalid("A slot lasts 5 to 240 minutes.", code="slot_length_invalid")
    if not 1 <= tables <= 1000:
        raise Invalid("Give 1 to 1,000 tables.", code="tables_invalid")
    if not 0 <= gap_minutes <= 120:
        raise Invalid("The changeover is 0 to 120 minutes.", code="gap_invalid")
    if end <= start:
        raise Invalid("The series must end after it starts.", code="ends_before_start")
    location = (location or "").strip()[:120] or "Business-matching lounge"
    created = []
    existing = {(s.starts_at, s.location) for s in slots(event)}
    for day in sorted(set(days)):
        moment = local_to_utc(day, start, event.time_zone)
        finish = local_to_utc(day, end, event.time_zone)
        while moment + timedelta(minutes=minutes) <= finish:
            if (moment, location) not in existing:
                created.append(MeetingSlot(event_id=event.id, starts_at=moment,
                                           ends_at=moment + timedelta(minutes=minutes),
                                           tables=tables, location=location))
            moment += timedelta(minutes=minutes + gap_minutes)
    if not created:
        raise Invalid("Those slots exist already (or the window is shorter than one slot).",
                      code="no_new_slots")
    if len(existing) + len(created) > SLOT_LIMIT:
        raise Invalid(f"At most {SLOT_LIMIT} slots per event.", code="too_many_slots")
    db.session.add_all(created)
    core.audit(actor, event, "matchmaking.slots.add",
               details={"count": len(created), "tables": tables, "minutes": minutes})
    db.session.commit()
    return created


def set_slot_tables(actor: User, event: Event, slot_id: int, tables: int) -> MeetingSlot:
    slot = _slot(event, slot_id)
    highest = db.session.scalar(sa.select(sa.func.max(MeetingRequest.table_no))
                                .where(MeetingRequest.slot_id == slot.id)) or 0
    if tables < highest:
        raise Conflict(f"Table {highest} holds a meeting in this slot: move it first.",
                       code="tables_in_use")
    slot.tables = tables
    core.audit(actor, event, "matchmaking.slot.tables", details={"slot": slot.id, "tables": tables})
    db.session.commit()
    return slot


def delete_slot(actor: User, event: Event, slot_id: int) -> None:
    slot = _slot(event, slot_id)
    if slot_usage(event).get(slot.id):
        raise Conflict("Meetings are placed in this slot: unplace them first.",
                       code="slot_in_use")
    db.session.delete(slot)
    core.audit(actor, event, "matchmaking.slot.delete", details={"slot": slot_id})
    db.session.commit()


def _slot(event: Event, slot_id: int) -> MeetingSlot:
    slot = db.session.get(MeetingSlot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise NotFound("No such meeting slot.", code="slot_not_found")
    return slot


# ---------------------------------------------------------------- busy slots (sessions)


def busy_slots(event: Event, user_ids=None) -> dict[int, set[int]]:
    """For each person, the meeting slots that overlap what they must be at.

    What they must be at is the sessions feature's answer (`sessions.services.commitments`):
    talks they speak at, workshops and site visits they hold a seat in (a site visit from
    the bus's departure to its return). Starred talks do not block a slot.
    """
    from ..sessions import services as sessions

    slot_rows = slots(event)  # ordered by start
    if not slot_rows:
        return {}
    starts = [s.starts_at for s in slot_rows]
    longest = max(s.ends_at - s.starts_at for s in slot_rows)
    busy: dict[int, set[int]] = {}
    for c in sessions.commitments(event, user_ids):
        # Only slots starting before the commitment ends, and not so early that even the
        # longest slot is over before it begins, can overlap it.
        window = slot_rows[bisect_right(starts, c.start - longest):bisect_left(starts, c.end)]
        taken = {s.id for s in window if c.start < s.ends_at}
        if taken:
            busy.setdefault(c.user_id, set()).update(taken)
    return busy


def agenda_meetings(user: User, event: Event):
    """(placed meetings as agenda items, number of accepted meetings without a time yet).

    What the sessions feature's "My agenda" and its calendar feed show next to talks.
    """
    from ..sessions.programme import PMeeting

    items, unplaced = [], 0
    for request in meetings_of(user, event):
        if request.slot is None:
            unplaced += 1
            continue
        other = request.other(user)
        side = request.thesis.organisation if other.id == request.thesis.user_id else (
            request.project.organisation or other.organisation)
        items.append(PMeeting(id=request.id, start=request.slot.starts_at,
                              end=request.slot.ends_at, location=request.slot.location,
                              table_no=request.table_no, other_name=other.full_name,
                              other_organisation=side, project_id=request.project_id,
                              project_title=request.project.title))
    return items, unplaced


# ---------------------------------------------------------------- placing meetings


def _accepted(event: Event) -> list[MeetingRequest]:
    return list(db.session.scalars(sa.select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)))


def _people(request: MeetingRequest) -> tuple[int, int]:
    return request.thesis.user_id, request.project.owner_id


def _booked(event: Event) -> list[tuple[int, int, int]]:
    return [(r.slot_id, *_people(r)) for r in _accepted(event) if r.slot_id is not None]


def free_slots_for(user: User, event: Event, request_id: int) -> list[MeetingSlot]:
    """Slots where both people are free and a table is left: what they may pick from."""
    request = _party_request(user, event, request_id)
    if request.status != RequestStatus.ACCEPTED:
        return []
    a, b = _people(request)
    rows = slots(event)
    plain = [scheduler.Slot(s.id, s.tables) for s in rows]
    booked = [entry for entry in _booked(event)
              if not (request.slot_id and entry[0] == request.slot_id and set(entry[1:]) == {a, b})]
    ids = set(scheduler.common_free_slots(a, b, plain, busy_slots(event, [a, b]), booked))
    now = utcnow()
    return [s for s in rows if s.id in ids and s.starts_at > now]


def _free_table(request: MeetingRequest) -> None:
    db.session.execute(sa.delete(MeetingSeat).where(MeetingSeat.request_id == request.id))
    request.slot_id = None
    request.table_no = None
    request.locked = False
    request.placed_by = None


def _seat(request: MeetingRequest, slot: MeetingSlot, table_no: int, how: str) -> None:
    """Seats both people and takes the table; the unique constraints refuse a clash."""
    a, b = _people(request)
    request.slot_id, request.table_no, request.placed_by = slot.id, table_no, how
    db.session.add_all([MeetingSeat(event_id=request.event_id, slot_id=slot.id, user_id=a,
                                    request_id=request.id),
                        MeetingSeat(event_id=request.event_id, slot_id=slot.id, user_id=b,
                                    request_id=request.id)])
    db.session.flush()


def pick_slot(user: User, event: Event, request_id: int, slot_id: int) -> MeetingRequest:
    """One of the two people books a common free slot; the database settles races.

    Each free table is tried in turn inside a savepoint: unique (slot, table) gives a
    table to one meeting only, unique (slot, person) keeps a person in one meeting.
    """
    request = _party_request(user, event, request_id)
    if user.id not in _people(request):
        raise Forbidden("Only the two people can pick their slot.", code="not_your_request")
    if request.status != RequestStatus.ACCEPTED:
        raise Conflict("Only an accepted request can be given a time.", code="not_accepted")
    if request.locked:
        raise Conflict("The organisers fixed this meeting's time.", code="meeting_locked")
    slot = _slot(event, slot_id)
    if slot.starts_at <= utcnow():
        raise Invalid("That slot has already started.", code="slot_past")
    a, b = _people(request)
    if slot.id in set().union(*busy_slots(event, [a, b]).values() or [set()]):
        raise Conflict("One of you is at a session then.", code="person_busy")
    _free_table(request)
    db.session.flush()
    used = set(db.session.scalars(sa.select(MeetingRequest.table_no)
                                  .where(MeetingRequest.slot_id == slot.id)))
    for table_no in range(1, slot.tables + 1):
        if table_no in used:
            continue
        savepoint = db.session.begin_nested()
        try:
            _seat(request, slot, table_no, "people")
            savepoint.commit()
        except IntegrityError as error:
            savepoint.rollback()
            if _person_taken(slot.id, a, b):
                db.session.rollback()
                raise Conflict("One of you already has a meeting at that time.",
                               code="person_booked") from error
            continue
        db.session.commit()
        return request
    db.session.rollback()
    raise Conflict("Every table in that slot is taken: choose another time.", code="slot_full")


def _person_taken(slot_id: int, a: int, b: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MeetingSeat).where(
        MeetingSeat.slot_id == slot_id, MeetingSeat.user_id.in_([a, b]))) > 0


def unplace(actor: User, event: Event, request_id: int) -> MeetingRequest:
    request = request_by_id(event, request_id)
    _free_table(request)
    core.audit(actor, event, "matchmaking.meeting.unplace", target=f"request {request.id}")
    db.session.commit()
    return request


def set_lock(actor: User, event: Event, request_id: int, locked: bool) -> MeetingRequest:
    request = request_by_id(event, request_id)
    if locked and request.slot_id is None:
        raise Invalid("Only a placed meeting can be locked.", code="not_placed")
    request.locked = locked
    core.audit(actor, event, "matchmaking.meeting.lock" if locked else "matchmaking.meeting.unlock",
               target=f"request {request.id}")
    db.session.commit()
    return request


def set_priority(actor: User, event: Event, request_id: int, priority: int) -> MeetingRequest:
    if not 0 <= priority <= 3:
        raise Invalid("Priority is 0 (normal) to 3 (highest).", code="priority_invalid")
    request = request_by_id(event, request_id)
    request.priority = priority
    db.session.commit()
    return request


def meeting_weight(request: MeetingRequest) -> float:
    """Score (0..100, at least 1) times 1 + priority: a priority 1 doubles a meeting's worth."""
    return max(request.score, 1.0) * (1 + request.priority)


# ---------------------------------------------------------------- the scheduler run


def start_scheduler_run(actor: User, event: Event) -> SchedulerRun:
    running = db.session.scalar(sa.select(SchedulerRun.id).where(
        SchedulerRun.event_id == event.id,
        SchedulerRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING])))
    if running is not None:
        raise Conflict("A scheduler run is already under way.", code="run_in_progress")
    if not slots(event):
        raise Invalid("Define meeting slots first.", code="no_slots")
    run = SchedulerRun(event_id=event.id, started_by_id=actor.id,
                       time_limit=settings(event).scheduler_seconds)
    db.session.add(run)
    core.audit(actor, event, "matchmaking.scheduler.run")
    db.session.commit()
    from ..jobs import enqueue

    enqueue(run_scheduler_job, run.id)
    return run


def run_scheduler_job(run_id: int) -> None:
    """Job entry point (RQ worker or in-process): needs only the run's id."""
    from flask import has_app_context

    if has_app_context():
        run_scheduler(run_id)
        return
    from .. import create_app

    with create_app().app_context():
        run_scheduler(run_id)


def _phase(run: SchedulerRun, text: str, **values) -> None:
    run.phase = text
    for key, value in values.items():
        setattr(run, key, value)
    db.session.commit()


def run_scheduler(run_id: int) -> SchedulerRun:
    run = db.session.get(SchedulerRun, run_id)
    event = db.session.get(Event, run.event_id)
    _phase(run, "Collecting accepted meetings, slots and agendas", status=RunStatus.RUNNING,
           started_at=utcnow())
    try:
        problem, by_id = _problem(event)
        _phase(run, f"Solving: {len(problem.meetings)} meetings, {len(problem.slots)} slots "
                    f"(up to {run.time_limit} s)", meetings=len(problem.meetings),
               locked=len(problem.locked))
        result = scheduler.schedule(problem, time_limit=float(run.time_limit))
        problems = scheduler.validate(result, problem)
        if problems:  # never write a schedule that breaks the lounge's rules
            raise RuntimeError("schedule failed validation: " + "; ".join(problems[:5]))
        _phase(run, "Saving the schedule")
        _apply(event, result, by_id)
        names = {u.id: u.full_name for u in db.session.scalars(sa.select(User).where(
            User.id.in_({p for m in problem.meetings for p in (m.person_a, m.person_b)})))}
        run.unplaced = [{"request_id": u.meeting_id, "code": u.code,
                         "reason": _reason_words(u, names)} for u in result.unplaced]
        run.placed = len(result.placements)
        run.placed_weight, run.upper_bound = result.placed_weight, result.upper_bound
        run.gap, run.method, run.solver_status = result.gap, result.method, result.status
        run.seconds = result.seconds
        _phase(run, "Done", status=RunStatus.DONE, finished_at=utcnow())
    except Exception as error:  # the run page must say what happened
        db.session.rollback()
        log.exception("scheduler run %s failed", run_id)
        run = db.session.get(SchedulerRun, run_id)
        run.error = str(error)[:2000]
        _phase(run, "Failed", status=RunStatus.FAILED, finished_at=utcnow())
    return run


def _reason_words(unplaced: scheduler.Unplaced, names: dict[int, str]) -> str:
    if unplaced.person is not None:
        return (f"{names.get(unplaced.person, 'one of the two')} already has a meeting at every "
                "common free slot")
    return unplaced.reason[0].upper() + unplaced.reason[1:]


def _problem(event: Event) -> tuple[scheduler.SchedulingInput, dict[int, MeetingRequest]]:
    now = utcnow()
    rows = slots(event)
    requests = _accepted(event)
    by_id = {r.id: r for r in requests}
    meetings = [scheduler.Meeting(r.id, *_people(r), weight=meeting_weight(r)) for r in requests]
    # Past slots stay as they are: those meetings happened (or not) and are locked in.
    past = {s.id for s in rows if s.starts_at <= now}
    locked = [scheduler.Placement(r.id, r.slot_id, r.table_no) for r in requests
              if r.slot_id is not None and (r.locked or r.placed_by == "people"
                                            or r.slot_id in past)]
    people = {p for m in meetings for p in (m.person_a, m.person_b)}
    busy = busy_slots(event, people)
    for person in people:
        busy.setdefault(person, set()).update(past)
    # A lock must stay valid even if a person later signed up for a talk at that time.
    for placement in locked:
        for person in _people(by_id[placement.meeting_id]):
            busy.get(person, set()).discard(placement.slot_id)
    plain_slots = [scheduler.Slot(s.id, s.tables) for s in rows]
    return scheduler.SchedulingInput(plain_slots, meetings, busy, locked), by_id


def _apply(event: Event, result: scheduler.Schedule, by_id: dict[int, MeetingRequest]) -> None:
    slot_rows = {s.id: s for s in slots(event)}
    keep = {p.meeting_id: p for p in result.placements}
    for request in by_id.values():
        placed = keep.get(request.id)
        if placed is None or (placed.slot_id, placed.table_no) != (request.slot_id,
                                                                   request.table_no):
            if request.slot_id is not None:
                _free_table(request)
    db.session.flush()
    for placement in result.placements:
        request = by_id[placement.meeting_id]
        if request.slot_id is None:
            _seat(request, slot_rows[placement.slot_id], placement.table_no,
                  "scheduler")
    db.session.flush()


def runs(event: Event, limit: int = 10) -> list[SchedulerRun]:
    return list(db.session.scalars(sa.select(SchedulerRun).where(
        SchedulerRun.event_id == event.id).order_by(SchedulerRun.id.desc()).limit(limit)))


def run_by_id(event: Event, run_id: int) -> SchedulerRun:
    run = db.session.get(SchedulerRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound("No such scheduler run.", code="run_not_found")
    return run


def organiser_meetings(event: Event, *, status: str | None = None) -> list[MeetingRequest]:
    query = sa.select(MeetingRequest).where(MeetingRequest.event_id == event.id)
    if status:
        query = query.where(MeetingRequest.status == status)
    return list(db.session.scalars(query.order_by(MeetingRequest.slot_id.is_(None),
                                                  MeetingRequest.slot_id,
                                                  MeetingRequest.table_no, MeetingRequest.id)))


# ---------------------------------------------------------------- held, no-show, follow-up


@dataclass
class ScanResult:
    status: str  # held | waiting | invalid | no_meeting
    message: str
    request: MeetingRequest | None = None
    name: str | None = None


def scan_meeting(actor: User, event: Event, first: str, second: str | None = None) -> ScanResult:
    """At the table: the first badge says who; the second badge (the other side) marks held."""
    from ..registration.badges import read_badge

    reads = []
    for code in filter(None, (first, second)):
        read = read_badge(event, code)
        if read.problem is not None or read.registration.user_id is None:
            return ScanResult("invalid", read.message if read.problem else
                              "This badge belongs to no account, so no meetings.")
        reads.append(read.registration)
    person = reads[0]
    if len(reads) == 1:
        return ScanResult("waiting", f"{person.full_name}: now scan the other person's badge.",
                          name=person.full_name)
    other = reads[1]
    a, b = person.user_id, other.user_id
    if a == b:
        return ScanResult("invalid", "That is the same badge twice: scan the other person's.")
    candidates = [r for r in _accepted(event) if set(_people(r)) == {a, b}]
    if not candidates:
        return ScanResult("no_meeting", f"{person.full_name} and {other.full_name} have no "
                                        "accepted meeting together.")
    now = utcnow()

    def distance(r: MeetingRequest) -> float:
        return abs((r.slot.starts_at - now).total_seconds()) if r.slot else 1e12

    request = min(candidates, key=distance)
    request.attendance, request.held_at = Attendance.HELD, now
    core.audit(actor, event, "matchmaking.meeting.held", target=f"request {request.id}")
    db.session.commit()
    return ScanResult("held", f"Meeting held: {person.full_name} and {other.full_name}"
                              + (f", table {request.table_no}" if request.table_no else "") + ".",
                      request=request)


def set_attendance(actor: User, event: Event, request_id: int, attendance: str | None):
    request = request_by_id(event, request_id)
    if attendance not in (None, *Attendance):
        raise Invalid("Held or no-show.", code="attendance_unknown")
    if request.status != RequestStatus.ACCEPTED:
        raise Conflict("Only accepted meetings are held.", code="not_accepted")
    request.attendance = attendance
    request.held_at = utcnow() if attendance == Attendance.HELD else None
    core.audit(actor, event, f"matchmaking.meeting.{attendance or 'reset'}",
               target=f"request {request.id}")
    db.session.commit()
    return request


def record_follow_up(user: User, event: Event, request_id: int, follow_up: str,
                     note: str = "") -> MeetingRequest:
    request = _party_request(user, event, request_id)
    if user.id not in _people(request):
        raise Forbidden("Only the two people record the follow-up.", code="not_your_request")
    if request.status != RequestStatus.ACCEPTED:
        raise Conflict("Only a meeting has a follow-up.", code="not_accepted")
    if follow_up not in set(FollowUp):
        raise Invalid(f"Choose one of {', '.join(FollowUp)}.", code="follow_up_unknown")
    if request.slot is not None and request.slot.starts_at > utcnow() and \
            request.attendance != Attendance.HELD:
        raise Invalid("Record the follow-up after the meeting.", code="meeting_not_yet")
    request.follow_up = follow_up
    request.follow_up_note = (note or "").strip()[:2000] or None
    if request.attendance is None:  # they say it happened
        request.attendance, request.held_at = Attendance.HELD, utcnow()
    db.session.commit()
    return request


def no_shows(event: Event) -> list[MeetingRequest]:
    """Placed meetings whose slot is over and that nobody marked held."""
    now = utcnow()
    return [r for r in organiser_meetings(event, status=RequestStatus.ACCEPTED)
            if r.slot is not None and r.slot.ends_at <= now and r.attendance != Attendance.HELD]


# ---------------------------------------------------------------- policy report


@dataclass
class PolicyRow:
    policy: Policy
    projects: int
    investors: int
    requested: int
    accepted: int
    held: int
    sought: dict[str, int]
    interest: dict[str, int]


def policy_report(event: Event) -> list[PolicyRow]:
    """Per policy: approved projects, investors whose thesis names it, meetings, money."""
    policy_rows = policies(event)
    project_rows = projects(event)
    of_policy: defaultdict[int, list[Project]] = defaultdict(list)
    for project in project_rows:
        for policy in project.policies:
            of_policy[policy.id].append(project)
    thesis_counts = Counter(pid for (pid,) in db.session.execute(
        sa.select(thesis_policies.c.policy_id).join(
            InvestorThesis, InvestorThesis.id == thesis_policies.c.thesis_id)
        .where(InvestorThesis.event_id == event.id)))
    requests_by_project: defaultdict[int, list[MeetingRequest]] = defaultdict(list)
    for request in db.session.scalars(sa.select(MeetingRequest).where(
            MeetingRequest.event_id == event.id)):
        requests_by_project[request.project_id].append(request)
    out = []
    for policy in policy_rows:
        members = of_policy.get(policy.id, [])
        sought: Counter[str] = Counter()
        interest: Counter[str] = Counter()
        requested = accepted = held = 0
        for project in members:
            sought[project.currency] += project.funding_max
            for request in requests_by_project.get(project.id, []):
                requested += 1
                if request.status == RequestStatus.ACCEPTED:
                    accepted += 1
                    held += request.attendance == Attendance.HELD
                    if request.thesis.currency == project.currency:
                        interest[project.currency] += min(request.thesis.ticket_max,
                                                          project.funding_max)
        out.append(PolicyRow(policy, len(members), thesis_counts.get(policy.id, 0), requested,
                             accepted, held, dict(sought), dict(interest)))
    return out


def heatmap(event: Event, axis: str = "sector") -> tuple[list[Policy], list[str], dict]:
    """Approved projects counted per (policy, sector) or (policy, country)."""
    if axis not in ("sector", "country"):
        raise Invalid("The heat map is by sector or by country.", code="axis_unknown")
    cells: Counter[tuple[int, str]] = Counter()
    columns: Counter[str] = Counter()
    for project in projects(event):
        keys = project.sectors if axis == "sector" else [project.country]
        for key in keys:
            columns[key] += 1
            for policy in project.policies:
                cells[policy.id, key] += 1
    return policies(event), [k for k, _n in columns.most_common(20)], dict(cells)


def report_csv(event: Event) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["framework", "policy", "projects", "interested_investors",
                     "meetings_requested", "meetings_accepted", "meetings_held",
                     "funding_sought_max", "interest_shown", "currency"])
    for row in policy_report(event):
        currencies = sorted(set(row.sought) | set(row.interest)) or [event.currency]
        for currency in currencies:
            digits = 10 ** 2
            writer.writerow([row.policy.framework.code, row.policy.name, row.projects,
                             row.investors, row.requested, row.accepted, row.held,
                             f"{row.sought.get(currency, 0) / digits:.2f}",
                             f"{row.interest.get(currency, 0) / digits:.2f}", currency])
    return out.getvalue()


# ---------------------------------------------------------------- reminders and calendar


def send_reminders(event: Event, *, hours: int = 24, now: datetime | None = None) -> int:
    """Mail each person once about each placed meeting starting within `hours`.

    The ReminderSent row (unique per meeting, person and kind) is committed before the mail
    is queued, so a second run, or two cron jobs at once, send nothing twice.
    """
    now = now or utcnow()
    horizon = now + timedelta(hours=hours)
    sent = 0
    upcoming = db.session.scalars(sa.select(MeetingRequest).join(MeetingSlot).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED,
        MeetingSlot.starts_at > now, MeetingSlot.starts_at <= horizon)).all()
    for request in upcoming:
        for person in (request.investor, request.owner):
            try:
                db.session.add(ReminderSent(event_id=event.id, request_id=request.id,
                                            user_id=person.id, kind="day_before"))
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                continue
            starts = to_local(request.slot.starts_at, event.time_zone)
            _notify(person, f"Your meeting at {starts:%H:%M}", "mm_reminder", event=event,
                    request=request, other=request.other(person))
            sent += 1
    return sent


def user_for_legacy_calendar_token(event: Event, token: str) -> User:
    """The person behind a "my meetings" feed link handed out before meetings joined the
    sessions agenda feed; such links now lead to that feed."""
    from flask import current_app
    from itsdangerous import BadSignature, URLSafeSerializer

    try:
        user_id, event_id = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                              salt="expo.mm-ical").loads(token)
    except (BadSignature, ValueError, TypeError) as error:
        raise NotFound("No such calendar.", code="calendar_not_found") from error
    user = db.session.get(User, user_id)
    if user is None or event_id != event.id:
        raise NotFound("No such calendar.", code="calendar_not_found")
    return user


def follow_up_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(sa.select(MeetingRequest.follow_up, sa.func.count())
                              .where(MeetingRequest.event_id == event.id,
                                     MeetingRequest.follow_up.is_not(None))
                              .group_by(MeetingRequest.follow_up))
    return {k: n for k, n in rows}


def parse_money(text: str | None, currency: str = "MYR") -> int | None:
    """'12m', '500k', '1.5b', '12,000,000' (major units) -> minor units; None when blank."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip().lower().replace(",", "").replace(" ", "")
    for prefix in ("rm", "us$", "s$", "$", currency.lower()):
        raw = raw.removeprefix(prefix)
    factor = {"k": 1e3, "m": 1e6, "b": 1e9}.get(raw[-1:], 1)
    if factor != 1:
        raw = raw[:-1]
    try:
        value = float(raw) * factor
    except ValueError as error:
        raise Invalid(f"{text!r} is not an amount (e.g. 12m, 500k, 2500000).",
                      code="amount_invalid") from error
    if value < 0:
        raise Invalid("Amounts cannot be negative.", code="amount_invalid")
    return round(value * 100)
