from django.apps import AppConfig


class SipSessionsConfig(AppConfig):
    name = "sip_sessions"
    verbose_name = "SIP activity"
