from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "northstar.referrals"
    label = "referrals"

    def ready(self) -> None:
        from northstar.referrals import panels

        panels.register()
