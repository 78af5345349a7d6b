from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "northstar.referrals"
    label = "referrals"
