"""python -m tests.sso_provider.seed '<json>': the provider's client application and people."""

import json
import sys

import django


def main(spec: dict) -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    Application.objects.create(
        name="MASH",
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=spec["redirect_uri"],
        post_logout_redirect_uris=spec["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for person in spec["people"]:
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=spec["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])


if __name__ == "__main__":
    django.setup()
    main(json.loads(sys.argv[1]))
