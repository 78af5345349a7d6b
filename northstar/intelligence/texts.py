"""The words of the report pages a worker or survivor reads (the anonymous page and the
portal's), in plain language; drafts of their translations are in the locale files."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

T = {
    "title": _("Tell us what you know"),
    "intro": _("Help protect other people. Tell us about people, agencies or employers who "
               "lied to workers, took their money or did not let them leave."),
    "safe": _("Do not write your name, phone number or address. We do not keep who you are "
              "or where you are: no name, no account, no address of your phone."),
    "not_help": _("This is not a request for help. If you need help now, call a hotline "
                  "you trust."),
    "organisation": _("Send to"),
    "route": _("The journey"),
    "from_country": _("From which country"),
    "to_country": _("To which country"),
    "via": _("Through which countries"),
    "who": _("Who"),
    "recruiters": _("Recruiters or brokers (names or nicknames)"),
    "agencies": _("Agencies"),
    "employers": _("Employers or workplaces"),
    "one_a_line": _("One a line."),
    "methods": _("What happened"),
    "where": _("Where you are or where it happened"),
    "country": _("Country"),
    "province": _("Province or city (not a street)"),
    "places": _("Places (towns, border crossings, work sites)"),
    "debts": _("Debts or fees workers had to pay"),
    "details": _("Anything else"),
    "send": _("Send"),
    "thanks": _("Thank you. What you told us was received. It is kept without your name."),
    "thanks_more": _("Tell us something else"),
    "error": _("Please check this answer:"),
    "language": _("Language"),
    "leave": _("Leave this page"),
    "too_many": _("Thank you. We have received several reports from this device today. "
                  "Please try again tomorrow."),
}
