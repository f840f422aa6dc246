"""The start page and the staff home page."""

from django.shortcuts import render


def home(request):
    return render(request, "mash/home.html")
