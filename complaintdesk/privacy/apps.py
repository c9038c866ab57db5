from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal information (个人信息保护法): retention of closed cases, legal hold, anonymisation of expired
    cases keeping their statistics, and the log of every reveal of a masked field and every export with
    personal data, read by the auditor (issue 15 item 6). A process-layer app."""

    name = "complaintdesk.privacy"
    label = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self) -> None:
        from complaintdesk.common.dbroles import append_only_register

        # The access log is evidence: on PostgreSQL the application's role may add rows, never change them.
        append_only_register("privacy_accesslog")
