from oauth2_provider.oauth2_validators import OAuth2Validator

# A provider user in this group has "passed" the provider's own second factor: their ID token's
# amr says mfa, as Entra ID's does after a multi-factor sign-in.
MFA_GROUP = "signed-in-with-mfa"


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes

    def get_additional_claims(self, request):
        user = request.user
        groups = sorted(user.groups.values_list("name", flat=True))
        return {
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": [group for group in groups if group != MFA_GROUP],
            "amr": ["pwd", "mfa"] if MFA_GROUP in groups else ["pwd"],
        }
