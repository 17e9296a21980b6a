"""The real sources that feed the console, one module per source.

Like the backends of `django.contrib.sessions`, each module here adapts one server's own output
(Kamailio, Asterisk's Master.csv, Asterisk's CDR database tables, the demo) to the ingest
services the JSON API calls, so a business rule is written once whatever the way in. The
server-side halves (configuration an operator merges into theirs) live in `integrations/`.
"""
