"""The archive's periodic job: rotating the hot search index (hot.py) once its month boundary moves.
Daily, so a missed run is made up the next day; `manage.py archive_hot_index` runs it by hand."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from . import hot

HOT_INDEX_JOB = "archive-hot-index"


@periodic(HOT_INDEX_JOB, label=_("检索热索引轮换"), daily_at=dt.time(hour=3, minute=30))
def archive_hot_index() -> dict:
    return hot.rotate()
