from django.apps import AppConfig
from django.db.models.signals import post_save


class EngagementConfig(AppConfig):
    name = "northstar.engagement"
    label = "engagement"

    def ready(self) -> None:
        from northstar.engagement import actions
        from northstar.survivors.models import Consent

        # Withdrawing an engagement consent, by any path, takes the survivor out of every
        # future activity at once (and changes nothing else).
        post_save.connect(actions.on_consent_saved, sender=Consent,
                          dispatch_uid="engagement.consent_withdrawn")
