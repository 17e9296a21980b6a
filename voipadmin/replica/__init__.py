"""Reads on a streaming replica (DATABASE_REPLICA_URL), writes and a person's fresh changes on the
primary. The router sends a read to the replica only inside a read scope the report machine opens
(voipadmin/reports/reads.py); everything else (logins, sessions, preferences, ingest, deletes, tasks)
stays on the primary. See docs/replica.md.
"""
