"""Django REST framework and drf-spectacular."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "voipadmin.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "voipadmin API",
    "DESCRIPTION": "Ingest of what the VoIP server does, and read access to every report.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from this server (drf-spectacular-sidecar), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "voipadmin.api.schema.error_responses",
    ],
}

# audit: the previous and new status of a server event share one enum in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "ServerEventStatusEnum": "audit.models.ServerEvent.Status",
    "ServerEventTypeEnum": "audit.models.ServerEvent.EventType",
    "AuditActionEnum": "audit.models.AuditAction",
    "ServerConfigActionEnum": "audit.models.ServerConfigAction",
    "ServerConfigSectionEnum": "audit.models.ServerConfigSection",
    "SipEventTypeEnum": "sip_sessions.models.SipEventType",
}

# monitoring: the terminal kinds and the user states, named once in the schema
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],
    "TerminalKindEnum": "monitoring.models.TerminalKind",
    "MonitoringStateEnum": "monitoring.rules.State",
}
