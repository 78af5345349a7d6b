"""What survivors read, in plain words, keyed so any page, letter or PDF can use it.

Every string here is survivor-facing: short sentences, everyday words, no legal
terms, for people who may read little and may be read to by a caseworker. The
translations live in ``northstar/locale/<lang>/LC_MESSAGES/django.po``; each one
carries a ``# needs-review`` comment until a native speaker has checked it
(``catalogue.unreviewed``), because a wrong sentence about rights can harm.

Rules for this file:
- never the word "trafficking" in ``UI`` strings used on the sign-in page or the
  first screen after it (a trafficker may look over the survivor's shoulder);
- nothing may read as if help depends on saying yes;
- change a sentence only together with its translations (the msgid changes, so
  every language falls back to English until it is translated again).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from northstar.intelligence import texts as intelligence_texts
from northstar.outcomes import texts as outcomes_texts

# --- Consent, per purpose -------------------------------------------------------

#: For each consent purpose: a short title, what it means, what happens if the
#: survivor says no. Read together with ``CONSENT_ALWAYS`` (help never depends on
#: the answer; a yes can be taken back at any time).
CONSENT_EXPLANATIONS: dict[str, dict[str, Promise]] = {
    "case_management": {
        "title": _("Keeping notes to help you"),
        "what": _(
            "Your caseworker writes down what you tell them, so they can plan your support. "
            "Only the people in their organisation who help you can see it."
        ),
        "if_no": _(
            "If you say no, your caseworker will talk with you about the help they can give "
            "without keeping notes."
        ),
    },
    "referral": {
        "title": _("Sending your details to another organisation"),
        "what": _(
            "Your caseworker sends some of your details to one organisation you agree to, "
            "for example a lawyer, a shelter or a clinic, so they can help you. "
            "They send only what that organisation needs."
        ),
        "if_no": _(
            "If you say no, nothing is sent. You can still go to that organisation yourself, "
            "or your caseworker can help you in another way."
        ),
    },
    "statistics": {
        "title": _("Counting without names"),
        "what": _(
            "You are counted together with many other people, without your name or anything "
            "that shows who you are. The numbers show what help people need."
        ),
        "if_no": _("If you say no, you are not counted."),
    },
    "research": {
        "title": _("Research to improve help"),
        "what": _(
            "Researchers study what happened to many people, to make help better. "
            "They do not see your name. If they want to talk with you, they ask you first."
        ),
        "if_no": _("If you say no, your information is not used for research."),
    },
    "law_enforcement_sharing": {
        "title": _("Sharing with the police"),
        "what": _(
            "Your caseworker gives some of your information to the police or a prosecutor, "
            "for example to find the people who hurt you. The police may want to ask you "
            "more questions."
        ),
        "if_no": _(
            "If you say no, your caseworker does not give your information to the police. "
            "You still get help, shelter and services."
        ),
    },
    "advocacy": {
        "title": _("Speaking out to change things"),
        "what": _(
            "Your story, or what you learned, may be used to change laws and to protect other "
            "people. You choose how: not at all, without your name, or with your name."
        ),
        "if_no": _("If you say no, your story is not used."),
    },
    "engagement": {
        "title": _("Taking part: councils, training and peer support"),
        "what": _(
            "You may be invited to a survivors' council, to train others, to support other "
            "survivors or to give your view on a policy. You choose each time, you are paid "
            "for your time, and you can stop at any moment."
        ),
        "if_no": _(
            "If you say no, you are not invited. Your help and services stay the same."
        ),
    },
    "intelligence_link": {
        "title": _("Linking what you told us about the people who recruited you"),
        "what": _(
            "What you told us about recruiters, agencies, employers and routes is kept apart "
            "from your file, without your name. If you say yes, your caseworker may connect "
            "it to your case, so it can help your own case too."
        ),
        "if_no": _(
            "If you say no, what you told us stays apart from your file and without your name. "
            "Your help stays the same."
        ),
    },
}

#: Said with every consent question.
CONSENT_ALWAYS: dict[str, Promise] = {
    "not_conditional": _(
        "Your help does not depend on your answer. You get help if you say yes and if you say no."
    ),
    "withdraw_any_time": _(
        "You can change your mind at any time. If you take back a yes, it stops at once."
    ),
}

# --- The three outcomes ----------------------------------------------------------

OUTCOMES: dict[str, dict[str, Promise]] = {
    "monetary_support": {
        "title": _("Money"),
        "description": _(
            "Money you are owed, money for now (like doctor bills, debts and living costs), "
            "and a steady income later."
        ),
    },
    "healing": {
        "title": _("Feeling well again"),
        "description": _(
            "Being treated with care and respect, getting counselling, and fewer and shorter "
            "legal steps."
        ),
    },
    "safety_self_and_others": {
        "title": _("Safety for you and others"),
        "description": _(
            "Staying safe from the people who hurt you, not being trapped again, and helping "
            "to protect others if you want to."
        ),
    },
}

# --- The nine interventions ------------------------------------------------------

INTERVENTION_DESCRIPTIONS: dict[str, dict[str, Promise]] = {
    "state_compensation": {
        "title": _("Money through the courts"),
        "description": _(
            "A lawyer helps you ask a court or the government for money for what you lost and "
            "suffered. We follow your claim until the money is paid."
        ),
    },
    "legal_aid_deterrence": {
        "title": _("Free help from a lawyer"),
        "description": _(
            "A lawyer gives you free advice and helps with your case. If you are afraid to go "
            "home, the lawyer can help you ask for protection in another country."
        ),
    },
    "trauma_informed_support": {
        "title": _("Care and respect at every step"),
        "description": _(
            "The people who work with you are trained to be patient and kind. You can get "
            "counselling, and you have time to rest and think before you decide anything."
        ),
    },
    "out_of_court_compensation": {
        "title": _("Payment without a trial"),
        "description": _(
            "A neutral person helps you and the employer agree on the money you are owed, "
            "without a trial. If you cannot agree, the case can still go to court."
        ),
    },
    "victim_impact_panel": {
        "title": _("Telling offenders about the harm"),
        "description": _(
            "Survivors tell people who did these crimes how much harm it causes. "
            "You never meet the person who hurt you."
        ),
    },
    "reconciliation": {
        "title": _("Talking with family, if you want"),
        "description": _(
            "If someone in your family or community hurt you and you want to talk with them, "
            "a trained person helps you meet safely. Only if you want it."
        ),
    },
    "livelihood": {
        "title": _("Work and income"),
        "description": _(
            "Help to earn a steady income from work you like and are good at, after you have "
            "had time to heal."
        ),
    },
    "survivor_led_advocacy": {
        "title": _("Speaking out"),
        "description": _(
            "Training and support to speak up for changes that protect others. "
            "You can stay anonymous."
        ),
    },
    "peer_therapy": {
        "title": _("Support group"),
        "description": _(
            "Meet other survivors in a safe group, led by survivors, to share and heal together."
        ),
    },
}

# --- Rights and what happens next --------------------------------------------------

#: Per justice-chain stage: what it is, and what happens next, in plain words.
RIGHTS: dict[str, dict[str, Promise]] = {
    "identification": {
        "title": _("Understanding your situation"),
        "next": _(
            "We listen to you and try to understand what happened. You do not have to tell "
            "everything at once. Take the time you need."
        ),
    },
    "reflection_period": {
        "title": _("Time to rest and decide"),
        "next": _(
            "You have time to rest, get care and think before you decide anything. "
            "We will not push you to talk to the police during this time."
        ),
    },
    "rescue_exit": {
        "title": _("Leaving a bad situation"),
        "next": _(
            "We are here to help you. Your help does not depend on taking part in a legal "
            "case. Below you can read what the law here says about being arrested or punished."
        ),
    },
    "investigation": {
        "title": _("The police look into what happened"),
        "next": _(
            "The police may ask you questions. Your caseworker, a lawyer and an interpreter "
            "can be with you. You can ask for a break."
        ),
    },
    "adjudication": {
        "title": _("The court case"),
        "next": _(
            "A judge decides the case. A lawyer helps you. You can ask the court for money for "
            "what you lost. We explain each step before it happens."
        ),
    },
    "rehabilitation": {
        "title": _("Getting better"),
        "next": _(
            "You get care, counselling, legal advice and help with papers. "
            "You can learn new skills if you want."
        ),
    },
    "reintegration_advocacy": {
        "title": _("Starting again"),
        "next": _(
            "We help you with a home, work and staying safe. If you want, you can join other "
            "survivors to protect others."
        ),
    },
}

# What holds at every stage is no longer one text for everyone: the rights page reads
# the legal position of the survivor's own jurisdiction (``portal/legal.py``), because
# "you will not be arrested", "you may move freely" and "you return only if you want
# to" are false in some jurisdictions and for people taken from scam compounds.

# --- Compensation claims ----------------------------------------------------------

CLAIM_STATUS: dict[str, dict[str, Promise]] = {
    "draft": {"title": _("Being prepared"), "description": _("Your lawyer is preparing the claim.")},
    "filed": {"title": _("Sent"),
              "description": _("The claim has been sent. We are waiting for a decision.")},
    "awarded": {"title": _("Money awarded"),
                "description": _("A decision says you should get money. It is not paid yet.")},
    "settled": {"title": _("Agreed"),
                "description": _("An agreement was made about the money.")},
    "rejected": {"title": _("Not accepted"),
                 "description": _(
                     "The claim was not accepted. Your lawyer will explain what you can do next.")},
    "withdrawn": {"title": _("Stopped"), "description": _("The claim was stopped.")},
    "paying": {"title": _("Being paid"),
               "description": _("Payments have started. Not all the money is paid yet.")},
    "paid_in_full": {"title": _("Paid in full"), "description": _("All the money has been paid.")},
    "defaulted": {"title": _("Payment late"),
                  "description": _(
                      "Payments stopped or are late. Your lawyer can try to make them pay.")},
}

# --- Advocacy choice ---------------------------------------------------------------

ADVOCACY_CHOICES: dict[str, Promise] = {
    "none": _("I do not want to take part"),
    "anonymous": _("I want to take part without my name"),
    "public": _("I want to take part with my name"),
}

# --- The portal's own words ---------------------------------------------------------
#: Sign-in page and first screen: neutral words only (see the module docstring).
SIGN_IN_UI_KEYS = frozenset({
    "site_name", "sign_in_title", "sign_in_intro", "reference_label", "reference_help",
    "pin_label", "pin_help", "sign_in_button", "sign_in_failed", "sign_in_locked",
    "sign_in_too_many", "quick_exit", "quick_exit_help", "language", "session_ended",
    "home_title", "home_intro", "menu_plan", "menu_rights", "menu_money", "menu_choices",
    "sign_out", "skip_to_content",
    "menu_tell",
})

UI: dict[str, Promise] = {
    "site_name": _("My page"),
    "skip_to_content": _("Skip to content"),
    "sign_in_title": _("Sign in"),
    "sign_in_intro": _("Use the code and PIN you made with your caseworker."),
    "reference_label": _("Your code"),
    "reference_help": _("Letters and numbers, for example ABC-7K2P9Q."),
    "pin_label": _("PIN"),
    "pin_help": _("6 numbers"),
    "sign_in_button": _("Sign in"),
    "sign_in_failed": _("The code or PIN is not right. Please try again."),
    "sign_in_locked": _(
        "Too many tries. Please wait 15 minutes or ask your caseworker for help."
    ),
    "sign_in_too_many": _("Too many tries from this device. Please wait and try again later."),
    "session_ended": _("You were signed out to keep your page private."),
    "quick_exit": _("Quick exit"),
    "quick_exit_help": _("Leaves this page at once and signs you out."),
    "language": _("Language"),
    "sign_out": _("Sign out"),
    "home_title": _("Welcome"),
    "home_intro": _("Choose what you want to see."),
    "menu_plan": _("My plan"),
    "menu_rights": _("My rights"),
    "menu_money": _("My money"),
    "menu_choices": _("My choices"),
    "menu_tell": _("Tell us what you know"),
    "back_home": _("Back to the start"),
    # Plan
    "plan_title": _("My plan"),
    "plan_intro": _("This is the support we planned together. You can ask to change it."),
    "plan_empty": _("There is no plan yet. Your caseworker will make it with you."),
    "plan_outcomes": _("What matters most to you"),
    "plan_status": _("Status"),
    "plan_status_proposed": _("Suggested"),
    "plan_status_agreed": _("Agreed with you"),
    "plan_status_in_progress": _("Happening now"),
    "plan_status_delivered": _("Done"),
    "plan_status_declined_by_survivor": _("You chose not to do this"),
    "plan_status_stopped": _("Stopped"),
    "plan_all_options": _("All kinds of support"),
    # Rights
    "rights_title": _("My rights"),
    "rights_now": _("Where you are now"),
    "rights_next": _("What happens next"),
    "rights_always": _("Your rights at every step"),
    "rights_stages": _("All the steps"),
    "rights_questions": _("You can ask your caseworker about anything you do not understand."),
    "rights_coming_up": _("Coming up"),
    "rights_law": _("What the law here says"),
    "rights_unknown": _("What we do not know about the law here"),
    "rights_promise": _("What we promise"),
    "event_hearing": _("Court hearing"),
    "event_reflection_ends": _("Your time to rest and decide ends"),
    # Money
    "money_title": _("My money"),
    "money_empty": _("There is no money claim yet. Your caseworker or lawyer can talk with you "
                     "about it."),
    "money_claim": _("Claim"),
    "money_asked": _("Asked for"),
    "money_awarded": _("Awarded"),
    "money_agreed": _("Agreed"),
    "money_next_due": _("Next payment expected"),
    # An instalment whose date passed unpaid ("was due on" the date shown beside it).
    "money_overdue": _("Payment late"),
    "money_received": _("Received so far"),
    "money_payments": _("Payments"),
    "money_no_payments": _("No payments yet."),
    "money_date": _("Date"),
    "money_amount": _("Amount"),
    # Choices (consents and advocacy)
    "choices_title": _("My choices"),
    "choices_intro": _("You decide who may use your information, and for what."),
    "consent_status_yes": _("You said yes"),
    "consent_status_no": _("You have not said yes"),
    "consent_status_withdrawn": _("You took back your yes"),
    "consent_give": _("Say yes"),
    "consent_withdraw": _("Take back my yes"),
    "consent_given_now": _("Saved. You said yes."),
    "consent_withdrawn_now": _("Saved. Your yes is taken back. It stopped now."),
    "consent_referral_ask": _(
        "To send your details to a new organisation, talk with your caseworker."
    ),
    "consent_referral_to": _("Sent to: %(organisation)s"),
    "consent_child": _("Because you are under 18, a parent, guardian or your caseworker "
                       "decides this with you."),
    "advocacy_title": _("Taking part in speaking out"),
    "advocacy_help": _("You can change this at any time."),
    "advocacy_save": _("Save my choice"),
    "advocacy_saved": _("Saved."),
    "advocacy_child_only_anonymous": _(
        "Because you are under 18, you can take part only without your name. "
        "This keeps you safe."
    ),
    "changed_elsewhere": _("Something changed while you were reading. Please try again."),
    "error_generic": _("That did not work. Please try again or ask your caseworker."),
}

# Surveys and check-ins (issue 15): the menu entry here, their words in outcomes/texts.py.
UI["menu_surveys"] = _("Tell us how you are")
SIGN_IN_UI_KEYS = SIGN_IN_UI_KEYS | {"menu_surveys"}


def all_messages() -> Iterator[tuple[str, Promise]]:
    """Every survivor-facing string with a stable key, e.g. ``consent.referral.what``.

    The translation tools and tests walk this to know what must be translated.
    """
    for purpose, parts in CONSENT_EXPLANATIONS.items():
        for part, text in parts.items():
            yield f"consent.{purpose}.{part}", text
    for key, text in CONSENT_ALWAYS.items():
        yield f"consent_always.{key}", text
    for outcome, parts in OUTCOMES.items():
        for part, text in parts.items():
            yield f"outcome.{outcome}.{part}", text
    for intervention, parts in INTERVENTION_DESCRIPTIONS.items():
        for part, text in parts.items():
            yield f"intervention.{intervention}.{part}", text
    for stage, parts in RIGHTS.items():
        for part, text in parts.items():
            yield f"rights.{stage}.{part}", text
    for status, parts in CLAIM_STATUS.items():
        for part, text in parts.items():
            yield f"claim_status.{status}.{part}", text
    for key, text in ADVOCACY_CHOICES.items():
        yield f"advocacy.{key}", text
    for key, text in UI.items():
        yield f"ui.{key}", text
    yield from outcomes_texts.all_messages()
    for key, text in ENGAGEMENT_UI.items():
        yield f"engagement.{key}", text
    for key, text in ENGAGEMENT_KINDS.items():
        yield f"engagement_kind.{key}", text
    for key, text in intelligence_texts.T.items():
        yield f"report.{key}", text


def sign_in_messages() -> Iterator[tuple[str, Promise]]:
    """The strings that may appear on the sign-in page and the first screen."""
    for key in sorted(SIGN_IN_UI_KEYS):
        yield f"ui.{key}", UI[key]


# --- Taking part: engagement (issue 16 §1) -----------------------------------------------
# The survivor's engagement page (``/portal/engagement/``); walked by ``all_messages`` like
# every other survivor-facing string.

ENGAGEMENT_UI: dict[str, Promise] = {
    "menu": _("Taking part"),
    "title": _("Taking part"),
    "intro": _(
        "You can help shape the help other survivors get: in a council, by training others, "
        "by supporting other survivors or by giving your view. You choose each time."
    ),
    "no_consent": _(
        "You have not said yes to taking part, so nobody will invite you. "
        "Your help and services stay the same either way."
    ),
    "invitations": _("Invitations"),
    "no_invitations": _("No invitations right now."),
    "when": _("When"),
    "where": _("Where"),
    "time_given": _("About %(hours)s hours"),
    "shown_as": _("Others will know you only as: %(pseudonym)s"),
    "join": _("Yes, I will take part"),
    "decline": _("No, thank you"),
    "tell_story": _("I want to tell my own story there"),
    "own_name": _("Use my own name (if not, only the name I chose is used)"),
    "upcoming": _("Coming up"),
    "nothing_upcoming": _("Nothing coming up."),
    "leave": _("I will not take part"),
    "stop_any_time": _(
        "You can stop at any moment, even during the activity. "
        "Your help and services stay the same."
    ),
    "paid_for_time": _("You are paid for your time. Nothing else decides what you are paid."),
    "honoraria": _("Payment for your time"),
    "owed": _("Owed to you"),
    "paid": _("Paid to you"),
    "still_due": _("Still to be paid"),
    "no_honoraria": _("Nothing yet."),
    "stop_all_title": _("Stop taking part"),
    "stop_all_help": _(
        "This takes back your yes to taking part. You will not be invited again and you leave "
        "every activity still to come. Your help, your case and your plan stay the same. "
        "Money owed to you is still paid."
    ),
    "stop_all": _("Stop taking part in everything"),
    "joined_now": _("Saved. You will take part."),
    "declined_now": _("Saved. You said no, thank you."),
    "left_now": _("Saved. You will not take part."),
    "stopped_now": _("Saved. You stopped taking part. Your help and services stay the same."),
}

#: Kinds of activity in everyday words.
ENGAGEMENT_KINDS: dict[str, Promise] = {
    "advisory_council": _("A survivors' council meeting"),
    "national_committee": _("A national committee meeting"),
    "speaking": _("Speaking to a group"),
    "training": _("Training others"),
    "peer_support": _("Supporting other survivors"),
    "policy_review": _("Giving your view on a policy"),
    "research": _("Taking part in research"),
}
