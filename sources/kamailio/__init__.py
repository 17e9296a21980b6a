"""The Kamailio source: the facts Kamailio writes into its outbox (integrations/kamailio/), posted
by the delivery process that bin/run-kamailio starts, mapped here to the API's items and stored by
the same ingest services (docs/sources-kamailio.md)."""
