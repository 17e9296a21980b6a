"""The CDR app's writes: Asterisk's CSV reading, storing, importing, the API's ingest."""
