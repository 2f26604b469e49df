from django.contrib import admin

from .models import Call


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log is written by the phone desk only; the admin shows it, nobody edits it.

    Search-term counts are not in the admin: the gap report shows them, and only terms
    seen at least three times.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "duration_minutes", "municipality", "age_band", "outcome"]
    list_filter = ["outcome", "age_band", "municipality"]
    list_select_related = ["municipality"]
    date_hierarchy = "started_at"
