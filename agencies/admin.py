"""Administrators configure agencies and teams (memberships and a manager per team).

Information requests are deliberately not in the admin: they carry children's data and are read
only through the audited partner portal and MASH pages.
"""

from django.contrib import admin

from .models import Agency, Team


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "referral_source", "email", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "manager", "rota_position", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)
    autocomplete_fields = ("manager",)
