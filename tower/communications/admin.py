from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tower.communications.models import (
    Acknowledgement,
    DelayNotice,
    LogEntry,
    Mail,
    NoticeRecipient,
    Reply,
)
from tower.readonly_admin import ReadOnlyAdmin


@admin.register(DelayNotice)
class DelayNoticeAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("pk", "client", "expected_date", "sent_by_name", "sent_at", "superseded_by")
    list_filter = ("client",)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("notice", "client", "user_name", "at")


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("notice", "client", "user_name", "side", "at")


@admin.register(Mail)
class MailAdmin(ReadOnlyAdmin):
    list_display = ("pk", "client", "notice", "status", "queued_at", "sent_at")
    list_filter = ("status",)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "client", "side", "who", "kind")
    list_filter = ("client", "kind", "side")


@admin.register(NoticeRecipient)
class NoticeRecipientAdmin(admin.ModelAdmin):
    editable_because = (
        "reference data: the client's extra addresses for delay notices, kept by CMO admins"
    )
    list_display = ("client", "email", "name")
    list_filter = ("client",)
