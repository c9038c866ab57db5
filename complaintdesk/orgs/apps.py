from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.catalogue_text import catalogue_names_register
from complaintdesk.common.configcache import config_watch


class OrgsConfig(AppConfig):
    name = "complaintdesk.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from .selectors import CACHE_AREA, orgunit_names

        config_watch(CACHE_AREA, "orgs.OrgUnit")
        catalogue_names_register(orgunit_names)
