from django.db import models

from mash.codes import Sex


class Person(models.Model):
    """Someone the service knows: the person index the known-child check matches against.

    Identifiers, former names, addresses and involvements hang off this row; see
    ``referrals/person_index`` for matching.
    """

    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    local_id = models.CharField(max_length=20, blank=True, db_index=True)  # LAchildID in the case system
    upn = models.CharField(max_length=13, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "referrals"
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
