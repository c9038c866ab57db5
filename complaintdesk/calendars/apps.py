from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "complaintdesk.calendars"
    label = "calendars"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from complaintdesk.common.configcache import config_watch

        from .selectors import CACHE_AREA

        # The cached calendars (selectors.calendar_for_unit) depend on these rows, and on the unit tree
        # (codes and paths decide which rows apply to a unit).
        config_watch(CACHE_AREA, "calendars.CalendarEntry", "calendars.BusinessHours", "orgs.OrgUnit")
