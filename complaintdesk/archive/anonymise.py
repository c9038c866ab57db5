"""An anonymised case's summaries, its entry in the archive search and the knowledge articles made from it,
without personal data (个人信息保护法; `docs/privacy.md`): registered with
`common.anonymisation.case_anonymise_step_register` in `ArchiveConfig.ready()`, run by the privacy retention
job inside the expired case's transaction, after the case's own texts are redacted.

The summaries' four parts are redacted in place (every version), then the case's search entry is written
again from the redacted case and summary (its snippet text and its segmented words: nothing found by a
name or phone any more). An article promoted from the case has its title and body redacted and its entry
written again."""

from collections.abc import Callable

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import CaseSummary, KnowledgeArticle
from .services import SUMMARY_FIELDS, archive_index_article, archive_index_complaint

ARTICLE_TEXTS = ("title", "body")


def archive_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many summaries and articles changed. The entry is rewritten whatever changed (the case's
    own title and description have just been redacted)."""
    changed = rows_redact(
        CaseSummary.objects.filter(complaint=complaint).only("pk", *SUMMARY_FIELDS), SUMMARY_FIELDS, redact
    )
    archive_index_complaint(complaint=complaint)
    articles = list(KnowledgeArticle.objects.filter(source_complaint=complaint).only("pk", *ARTICLE_TEXTS))
    if rows_redact(articles, ARTICLE_TEXTS, redact):
        for article in KnowledgeArticle.objects.filter(pk__in=[a.pk for a in articles]).select_related(
            "category"
        ):
            archive_index_article(article=article)
            changed += 1
    return changed
