"""Archive search: Chinese queries find the right archived cases (and not the wrong ones), within scope."""

import pytest

from complaintdesk.archive import indexing
from complaintdesk.archive.models import ArchiveEntry
from complaintdesk.archive.selectors import archive_search, archive_similar
from complaintdesk.archive.services import case_summary_write
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.testing import resolve

from .conftest import case_make

pytestmark = pytest.mark.django_db


def _numbers(hits):
    return [h.number for h in hits]


CHINESE_QUERIES = [
    ("宽带", ["broadband"]),
    ("光猫亮红灯", ["broadband"]),
    ("宽带断网", ["broadband"]),
    ("退费", ["refund"]),
    ("销户退费没到账", ["refund"]),
    ("信用卡年费", ["annual_fee"]),  # not the card theft: no 年费 there
    ("信用卡", ["annual_fee", "card_theft"]),
    ("盗刷", ["card_theft"]),
    ("宽限期", ["grace"]),  # not the broadband case: 宽 alone is not a word
    ("分光器", ["broadband"]),  # only in the summary's cause
]


def test_a_chinese_query_finds_the_right_cases(org, archive):
    """Every query over one archive (made once: six worked cases)."""
    wrong = {}
    for query, expected in CHINESE_QUERIES:
        hits = archive_search(user=org.manager, query=query)
        if sorted(_numbers(hits)) != sorted(archive[k].number for k in expected):
            wrong[query] = _numbers(hits)
        elif not all(not h.partial and h.matched_words for h in hits):
            wrong[query] = "partial, or no matched words"
    assert not wrong


def test_store_b_case_is_found_only_by_who_may_see_it(org, archive):
    assert _numbers(archive_search(user=org.agent_b, query="快递丢件")) == [archive["parcel"].number]
    assert archive_search(user=org.agent_a, query="快递丢件") == []  # another store's case does not exist
    assert archive_search(user=org.executive, query="快递丢件")[0].number == archive["parcel"].number
    # Store B's agent does not find store A's cases either.
    assert archive_search(user=org.agent_b, query="宽带") == []


def test_matched_words_and_snippet_marks(org, archive):
    [hit] = archive_search(user=org.manager, query="光猫亮红灯")
    assert "光猫" in hit.matched_words
    assert "<mark>光猫</mark>" in hit.snippet
    assert hit.url == f"/complaints/{archive['broadband'].number}/"


def test_html_in_texts_is_escaped_in_snippets(org):
    case_make(
        org,
        unit=org.store_a,
        title="<script>alert(1)</script>宽带装机延误",
        description="<b>装机</b>师傅约了三次都没来",
        summary=("宽带装机延误", "装维人手不足", "改约并补偿", "装机要按约定时间"),
    )
    [hit] = archive_search(user=org.manager, query="宽带装机")
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;b&gt;<mark>装机</mark>&lt;/b&gt;" in hit.snippet
    assert "<mark>宽带</mark>" in hit.snippet


def test_the_snippet_does_not_say_the_title_again(org):
    """A hit shows its title above its snippet: the snippet begins with what follows the title."""
    case_make(
        org,
        unit=org.store_a,
        title="光猫频繁掉线",
        description="家里光猫每天晚上掉线三四次",
        summary=("光猫掉线", "光猫老化", "更换光猫", "老旧光猫要主动更换"),
    )
    [hit] = archive_search(user=org.manager, query="光猫掉线")
    assert hit.title == "光猫频繁掉线"
    assert "频繁" not in hit.snippet
    assert "<mark>光猫</mark>" in hit.snippet


def test_nothing_matches_all_words_then_any_word_is_partial(org, archive):
    hits = archive_search(user=org.manager, query="光猫 年费")
    assert {h.number for h in hits} == {archive["broadband"].number, archive["annual_fee"].number}
    assert all(h.partial for h in hits)


def test_only_closed_cases_are_archived(org, archive):
    open_case = case_make(org, unit=org.store_a, title="光猫又坏了", description="宽带又断网了", close=False)
    assert open_case.number not in _numbers(archive_search(user=org.manager, query="光猫"))
    # Reopened: it leaves the archive; closed again: it comes back.
    number = archive["broadband"].number
    complaint_transition(number=number, actor=org.manager, to="reopened", reason="客户说又断了")
    assert archive_search(user=org.manager, query="分光器") == []
    complaint_transition(number=number, actor=org.manager, to="handling", reason="处理")
    resolve(org.manager, number)
    complaint_transition(number=number, actor=org.manager, to="closed", reason="处理")
    assert _numbers(archive_search(user=org.manager, query="分光器")) == [number]


def test_a_new_summary_version_is_searchable(org, archive):
    number = archive["parcel"].number
    case_summary_write(
        number=number,
        actor=org.manager,
        problem="快递丢件",
        cause="中转站交接漏扫",
        solution="按保价金额赔偿并赠送运费券",
        lesson="交接必须扫描",
    )
    assert _numbers(archive_search(user=org.manager, query="运费券")) == [number]


def test_empty_and_punctuation_queries_find_nothing(org, archive):
    assert archive_search(user=org.manager, query="") == []
    assert archive_search(user=org.manager, query="，。！？  ") == []
    assert archive_search(user=org.manager, query="的了吗") == []


def test_similar_cases_share_key_words_and_exclude_the_case(org, archive):
    new = case_make(
        org,
        unit=org.store_a,
        title="光猫亮红灯宽带断网",
        description="宽带今天早上断网，光猫亮红灯，重启也没用。",
        close=False,
    )
    hits = archive_similar(complaint=new, user=org.manager)
    assert hits and hits[0].number == archive["broadband"].number
    assert {"光猫", "宽带"} <= set(hits[0].matched_words)
    assert archive["annual_fee"].number not in _numbers(hits)
    own = archive_similar(complaint=archive["broadband"], user=org.manager)
    assert archive["broadband"].number not in _numbers(own)


def test_reindex_command_rebuilds_the_index(org, archive):
    from django.core.management import call_command

    ArchiveEntry.objects.all().delete()
    assert archive_search(user=org.manager, query="退费") == []
    call_command("archive_reindex", batch=2, stdout=open("/dev/null", "w"))
    assert _numbers(archive_search(user=org.manager, query="退费")) == [archive["refund"].number]
    assert ArchiveEntry.objects.count() == len(archive)


def test_a_rebuild_rewrites_only_the_entries_whose_document_changed(org, archive):
    """A full rebuild at 10M rewrote every entry (28 GB of new rows and as many dead ones, the searches'
    pages pushed out of the cache); it now writes only what differs from what the case's document is."""
    before = dict(ArchiveEntry.objects.values_list("complaint_id", "id"))
    assert indexing.reindex_all(batch=2).rewritten == 0
    assert dict(ArchiveEntry.objects.values_list("complaint_id", "id")) == before  # nothing replaced

    # an entry cut with an older dictionary, and a closed case whose entry is missing
    stale = ArchiveEntry.objects.get(complaint=archive["refund"])
    ArchiveEntry.objects.filter(pk=stale.pk).update(segmented="销户 退 费")
    ArchiveEntry.objects.filter(complaint=archive["grace"]).delete()
    assert archive_search(user=org.manager, query="退费") == []

    done = indexing.reindex_all(batch=2)
    assert (done.cases, done.rewritten) == (len(archive), 2)
    assert _numbers(archive_search(user=org.manager, query="退费")) == [archive["refund"].number]
    assert _numbers(archive_search(user=org.manager, query="宽限期")) == [archive["grace"].number]
    after = dict(ArchiveEntry.objects.values_list("complaint_id", "id"))
    unchanged = set(before) - {archive["refund"].pk, archive["grace"].pk}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}


def test_a_rebuild_pauses_only_after_batches_that_wrote(org, archive, monkeypatch):
    slept = []
    monkeypatch.setattr(indexing.time, "sleep", slept.append)
    indexing.reindex_all(batch=1, pause=0.25)
    assert slept == []  # nothing changed: nothing to leave the disk to the searches for
    ArchiveEntry.objects.filter(complaint=archive["refund"]).update(segmented="退 费")
    indexing.reindex_all(batch=1, pause=0.25)
    assert slept == [0.25]


def test_scope_is_checked_on_the_case_itself_not_on_the_index_copy(org, archive):
    """Should the index's copy of the unit ever be stale (it follows a moved case by a trigger), the
    case's own unit decides who finds it."""
    from complaintdesk.complaints.models import Complaint

    number = archive["parcel"].number
    Complaint.objects.filter(number=number).update(org_unit=org.store_a)
    ArchiveEntry.objects.filter(complaint__number=number).update(org_unit_id=org.store_b.pk)  # stale copy
    assert archive_search(user=org.agent_b, query="快递丢件") == []
    assert _numbers(archive_search(user=org.manager, query="快递丢件")) == [number]


def test_narrow_user_finds_own_cases_and_shared_articles_by_kind(org, archive):
    from complaintdesk.archive.services import article_promote

    article = article_promote(number=archive["broadband"].number, actor=org.manager)
    both = archive_search(user=org.agent_b, query="光猫")  # store B: no case of its own, the article
    assert [(h.kind, h.id) for h in both] == [("article", article.pk)]
    assert archive_search(user=org.agent_b, query="光猫", kind="cases") == []
    mine = archive_search(user=org.agent_a, query="光猫", kind="cases")
    assert [(h.kind, h.number) for h in mine] == [("case", archive["broadband"].number)]
    assert {h.kind for h in archive_search(user=org.agent_a, query="光猫")} == {"case", "article"}
    everyone = archive_search(user=org.executive, query="光猫", kind="articles")
    assert [(h.kind, h.id, h.number) for h in everyone] == [("article", article.pk, "")]
    assert all(h.at is not None and h.at.tzinfo is not None for h in both + mine)


def test_a_unit_scope_word_is_not_a_query(org, archive):
    # PostgreSQL keeps each entry's unit as a word of its vector; searching for it finds nothing.
    assert archive_search(user=org.manager, query=f"scope{org.store_a.pk}") == []
    assert archive_search(user=org.manager, query="scope0") == []
