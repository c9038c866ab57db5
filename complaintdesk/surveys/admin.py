from django.contrib import admin

from .models import FollowUp, FollowUpAttempt, ResultFeedback, SurveyAnswer, SurveyInvitation


@admin.register(ResultFeedback)
class ResultFeedbackAdmin(admin.ModelAdmin):
    list_display = ("complaint", "sent_by", "sent_at", "channel", "confirmed_at", "confirmed_via")
    list_filter = ("channel", "confirmed_via")
    search_fields = ("complaint__number",)
    raw_id_fields = ("complaint", "notification", "override", "sent_by", "confirmed_by")
    readonly_fields = [f.name for f in ResultFeedback._meta.fields]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ("complaint", "agent", "org_unit", "created_at", "expires_at", "used_at", "voided_at")
    search_fields = ("complaint__number",)
    raw_id_fields = ("complaint", "result", "agent", "org_unit", "notification")
    # The token's hash is of no use to anyone reading the admin; links cannot be recovered from it.
    exclude = ("token_hash",)
    readonly_fields = (
        "complaint",
        "result",
        "agent",
        "org_unit",
        "language",
        "notification",
        "created_at",
        "used_at",
    )


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ("complaint", "stars", "nps", "solved", "agent", "org_unit", "answered_at", "action")
    list_filter = ("stars", "solved", "action")
    search_fields = ("complaint__number",)
    raw_id_fields = ("invitation", "complaint", "agent", "org_unit")
    readonly_fields = [f.name for f in SurveyAnswer._meta.fields]


class FollowUpAttemptInline(admin.TabularInline):
    model = FollowUpAttempt
    extra = 0
    can_delete = False
    raw_id_fields = ("actor",)
    readonly_fields = ("at", "actor", "reached", "satisfied", "new_issue", "note", "outcome")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("complaint", "org_unit", "assignee", "due_at", "state", "outcome", "not_reached_count")
    list_filter = ("state", "outcome")
    search_fields = ("complaint__number",)
    raw_id_fields = ("complaint", "org_unit", "assignee", "linked_complaint", "finished_by")
    inlines = [FollowUpAttemptInline]
