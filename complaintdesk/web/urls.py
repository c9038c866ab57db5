from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import (
    views,
    views_analytics,  # analytics helper
    views_archive,
    views_dispatch,
    views_escalation,
    views_feedback,
    views_groups,
    views_inbox,
    views_learning,
    views_outreach,
    views_privacy,
    views_quality,
    views_regulation,
    views_solutions,
)

app_name = "web"

urlpatterns = [
    # Privacy (privacy helper): the case page's retention and legal-hold panel, the auditor's access log.
    path("complaints/<str:number>/privacy/panel", views_privacy.privacy_panel, name="privacy_panel"),
    path("privacy/access-log/", views_privacy.access_log, name="privacy_access_log"),
    # Regulation (regulation helper): the case page's panel (statutory due dates, regulatory codes) and the
    # regulatory statistics export.
    path(
        "complaints/<str:number>/regulation/panel", views_regulation.regulation_panel, name="regulation_panel"
    ),
    path("regulation/statistics/", views_regulation.regulation_statistics, name="regulation_statistics"),
    path("regulation/referrals/", views_regulation.regulator_queue, name="regulator_queue"),
    # Solutions and compensation (solutions helper): the case page's panel and its forms.
    path("complaints/<str:number>/solutions/panel", views_solutions.solutions_panel, name="solutions_panel"),
    path(
        "complaints/<str:number>/solutions/propose", views_solutions.solution_propose, name="solution_propose"
    ),
    path(
        "complaints/<str:number>/solutions/<int:proposal_id>/choose",
        views_solutions.solution_choose,
        name="solution_choose",
    ),
    path(
        "complaints/<str:number>/approvals/<int:approval_id>/decide",
        views_solutions.approval_decide,
        name="approval_decide",
    ),
    # Work orders (dispatch): the case page's panel, its forms, and the department's queue.
    path(
        "complaints/<str:number>/work-orders/panel",
        views_dispatch.work_orders_panel,
        name="work_orders_panel",
    ),
    path(
        "complaints/<str:number>/work-orders/create",
        views_dispatch.work_order_create,
        name="work_order_create",
    ),
    path(
        "complaints/<str:number>/work-orders/<int:work_order_id>/cancel",
        views_dispatch.work_order_cancel,
        name="work_order_cancel",
    ),
    path("work-orders/", views_dispatch.work_orders_page, name="work_orders"),
    path("work-orders/<int:work_order_id>/", views_dispatch.work_order_page, name="work_order"),
    path("work-orders/<int:work_order_id>/act", views_dispatch.work_order_act, name="work_order_act"),
    path(
        "work-orders/<int:work_order_id>/attachments/<int:attachment_id>",
        views_dispatch.work_order_attachment_download,
        name="work_order_attachment",
    ),
    # Result feedback, survey answers and follow-up (surveys helper): the case page's panel, its forms, the queue.
    path("complaints/<str:number>/feedback/panel", views_feedback.feedback_panel, name="feedback_panel"),
    path("complaints/<str:number>/feedback/check", views_feedback.feedback_check, name="feedback_check"),
    path(
        "complaints/<str:number>/feedback/result",
        views_feedback.feedback_result_send,
        name="feedback_result_send",
    ),
    path(
        "complaints/<str:number>/feedback/confirm", views_feedback.feedback_confirm, name="feedback_confirm"
    ),
    path(
        "complaints/<str:number>/feedback/follow-up",
        views_feedback.feedback_follow_up,
        name="feedback_follow_up",
    ),
    path(
        "complaints/<str:number>/feedback/unreachable",
        views_feedback.feedback_unreachable,
        name="feedback_unreachable",
    ),
    path("complaints/<str:number>/feedback/rating", views_feedback.feedback_rating, name="feedback_rating"),
    path("follow-ups/", views_feedback.follow_ups_page, name="follow_ups"),
    # Group complaints (intelligence): detected groups, a supervisor confirms or dismisses them.
    path("groups/", views_groups.groups_page, name="groups"),
    path("groups/<int:group_id>/confirm", views_groups.group_confirm, name="group_confirm"),
    path("groups/<int:group_id>/dismiss", views_groups.group_dismiss, name="group_dismiss"),
    # Quality inspection (quality helper): the inspectors' queue, scoring one sample, calibration.
    path("quality/", views_quality.quality_queue, name="quality_queue"),
    path("quality/calibration/", views_quality.quality_calibration, name="quality_calibration"),
    path("quality/draw", views_quality.quality_draw, name="quality_draw"),
    path("quality/<int:sample_id>/", views_quality.quality_sample, name="quality_sample"),
    # Archive and knowledge base (archive helper): search, articles, the case page's summary and similar panels.
    path("archive/", views_archive.archive_page, name="archive"),
    path("archive/articles/<int:article_id>/", views_archive.archive_article, name="archive_article"),
    path("complaints/<str:number>/summary/panel", views_archive.summary_panel, name="summary_panel"),
    path("complaints/<str:number>/summary/promote", views_archive.summary_promote, name="summary_promote"),
    path("complaints/<str:number>/similar/panel", views_archive.similar_panel, name="similar_panel"),
    # The team's learning (learning): training cases chosen from finished cases, the handler's consent, the
    # daily service log.
    path("complaints/<str:number>/learning/panel", views_learning.learning_panel, name="learning_panel"),
    path(
        "complaints/<str:number>/learning/propose", views_learning.learning_propose, name="learning_propose"
    ),
    path("learning/cases/", views_learning.library_page, name="learning_library"),
    path("learning/cases/<int:case_id>/", views_learning.case_page, name="learning_case"),
    path("learning/cases/<int:case_id>/consent", views_learning.case_consent, name="learning_consent"),
    path("learning/cases/<int:case_id>/remove", views_learning.case_remove, name="learning_remove"),
    path("learning/log/", views_learning.service_log_page, name="service_log"),
    # Known incidents (outreach): the list and declaring one, its page and resolving it, the case page's panel.
    path("incidents/", views_outreach.incident_list, name="incidents"),
    path("incidents/declare", views_outreach.incident_declare, name="incident_declare"),
    path(
        "incidents/dashboard-panel", views_outreach.incident_dashboard_panel, name="incident_dashboard_panel"
    ),
    path("incidents/<int:incident_id>/", views_outreach.incident_page, name="incident"),
    path("incidents/<int:incident_id>/resolve", views_outreach.incident_resolve, name="incident_resolve"),
    path("complaints/<str:number>/incident/panel", views_outreach.incident_panel, name="incident_panel"),
    path(
        "complaints/<str:number>/outreach/choices",
        views_outreach.customer_choices_record,
        name="customer_choices",
    ),
    # KPIs, the management dashboard, the cases behind each number, exports and scorecards (analytics helper).
    # Escalation (escalation): the case page's panel, escalating to a level, recording an external referral.
    path(
        "complaints/<str:number>/escalation/panel", views_escalation.escalation_panel, name="escalation_panel"
    ),
    path(
        "complaints/<str:number>/escalation/escalate",
        views_escalation.escalation_escalate,
        name="escalation_escalate",
    ),
    path(
        "complaints/<str:number>/escalation/referral",
        views_escalation.escalation_referral,
        name="escalation_referral",
    ),
    path(
        "complaints/<str:number>/escalation/objection",
        views_escalation.escalation_objection,
        name="escalation_objection",
    ),
    path("dashboard/", views_analytics.dashboard, name="dashboard"),
    path("dashboard/cases/", views_analytics.dashboard_cases, name="dashboard_cases"),
    path("scorecards/", views_analytics.scorecards, name="scorecards"),
    # The staff's notifications and the approvals queue (inbox + solutions).
    path("notifications/", views_inbox.notifications_page, name="notifications"),
    path("notifications/read", views_inbox.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:notification_id>/open", views_inbox.notification_open, name="notification_open"),
    path("approvals/", views_inbox.approvals_page, name="approvals"),
    path("approvals/<int:approval_id>/decide", views_inbox.approval_decide, name="approvals_decide"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.queue, name="home"),
    path("queues/<slug:code>/", views.queue, name="queue"),
    path("queues-assign/", views.queue_assign, name="queue_assign"),
    path("queues-transfer/", views.queue_transfer, name="queue_transfer"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("intake/phone/", views.phone_intake, name="phone_intake"),
    path("intake/phone/lookup", views.phone_lookup, name="phone_lookup"),
    path("intake/phone/restate", views.phone_restate, name="phone_restate"),
    path("complaints/<str:number>/", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/transition", views.complaint_transition, name="complaint_transition"),
    path("complaints/<str:number>/kind", views.complaint_kind, name="complaint_kind"),
    path("complaints/<str:number>/route", views.complaint_route, name="complaint_route"),
    path("complaints/<str:number>/credit", views.complaint_credit, name="complaint_credit"),
    path("complaints/<str:number>/transfer", views.complaint_transfer_post, name="complaint_transfer"),
    path("complaints/<str:number>/analysis", views.complaint_analysis, name="complaint_analysis"),
    path("complaints/<str:number>/note", views.complaint_note, name="complaint_note"),
    path("complaints/<str:number>/message", views.complaint_message, name="complaint_message"),
    path("complaints/<str:number>/reveal", views.complaint_reveal, name="complaint_reveal"),
    path("complaints/<str:number>/scripts", views.complaint_scripts, name="complaint_scripts"),
    path("complaints/<str:number>/reply/check", views.reply_check, name="reply_check"),
    path("complaints/<str:number>/reply/send", views.reply_send, name="reply_send"),
    path(
        "complaints/<str:number>/attachments/<int:attachment_id>",
        views.attachment_download,
        name="attachment_download",
    ),
]
