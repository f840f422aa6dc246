"""The default wording of each outcome letter: the text an administrator starts from and edits in the
admin (``LetterTemplate``). Plain text; placeholders are listed on the model's ``body`` help text.
The letter's fixed parts (who has the referral, how to challenge) are in its template."""

from mash.links import absolute_url


def challenge_url() -> str:
    """The public challenge page's full address: a letter is read on paper or in an e-mail client,
    away from the service, so a path alone would lead nowhere."""
    return absolute_url("multiagency_public:challenge")


DEFAULT_SUBJECT = "The outcome of your referral {{ reference }}"

DEFAULT_BODY: dict[str, str] = {
    "strategy_s47": (
        "Thank you for your referral about {{ initials }}. The MASH has decided that the concerns need a "
        "strategy discussion with the police and other agencies, and a child protection enquiry (section 47 "
        "of the Children Act 1989) may follow.\n\n"
        "{{ team_name }} is now responsible for the referral."
    ),
    "s17_assessment": (
        "Thank you for your referral about {{ initials }}. The MASH has decided that a child and family "
        "assessment (section 17 of the Children Act 1989) is needed.\n\n"
        "{{ team_name }} will carry out the assessment."
    ),
    "early_help": (
        "Thank you for your referral about {{ initials }}. The MASH has decided that the family's needs can "
        "best be met by early help, with the family's agreement.\n\n"
        "{{ team_name }} will contact the family to offer support."
    ),
    "other_agency_lead": (
        "Thank you for your referral about {{ initials }}. The MASH has decided that another agency should "
        "lead the support for the family: {{ team_name }}."
    ),
    "advice_signposting": (
        "Thank you for your referral about {{ initials }}. The MASH has decided that the referral does not "
        "need a social care service. Advice and information about other services have been given."
    ),
    "nfa": (
        "Thank you for your referral about {{ initials }}. The MASH has considered the information shared "
        "and decided that no further action by children's social care is needed at this time.\n\n"
        "If your concerns continue or increase, please refer again."
    ),
}
