"""The vocabularies of the seeds: every action code of seed 002, every event type of seed 001."""

import pytest

from audit.models import ACTION_SYNTAX, AuditAction, AuditRecord, ServerEvent, action_hint

# Seed 002's table of actions, row by row: description, code, syntax.
SEED_002 = [
    ("Add a record to a table", "A", "table_name:key1=val1[,key2=val2...]:field1=newval1"),
    ("Update a record", "U", "table_name:key1=val1[,key2=val2...]:field1=newval1"),
    ("Delete record", "D", "table_name:key1=val1[,key2=val2...]"),
    ("Restore record", "R", "table_name:key1=val1[,key2=val2...]"),
    ("Successful auth", "AUTH_OK", "customer|account|vendor:username|email=value"),
    ("Bad auth", "AUTH_FAIL", "customer|account|vendor:username|email=value"),
    ("Successful auth using OTP", "AUTH_OTP", "customer|account|vendor:username|email=value"),
    ("Reset one time password", "OTP_RST", "customer|account|vendor|system:"),
    ("Web Password change", "PSWD_CHNG", "i_customer|i_web_user|i_account|i_vendor=id"),
    ("Add funds/Debit/Credit", "FUNDS", "add|credit|debit|recharge:i_customer|i_account|i_vendor="),
    ("Disconnect call", "CALL_DISC", "i_call|i_account=id"),
    ("Billing run", "BRUN", "i_account=id"),
    ("Billing restart", "BRSTRT", "i_account=id"),
    ("Queue an action", "Q", "table_name:key1=val1[,key2=val2...]:field1=newval1"),
    ("Execute an action", "E", "table_name:key1=val1[,key2=val2...]:field1=newval1"),
    ("Clear First Use timestamp", "CLR_FSTUSE", "accounts:i_accout=id"),
    ("Extend Lifetime", "EXT_LFTM", "accounts:i_accout=id"),
    ("Issue SSL Certificate", "SSLCRT_ISS", "i_environment=id"),
    ("Open TCP 80 port", "FW_OPEN80", "i_environment=id"),
    ("MFA required", "MFA_RQRD", "customer|vendor|web_user:username:MFA_type"),
    ("MFA pending until setup done", "MFA_PEND", "customer|vendor|web_user:username:MFA_type"),
    ("MFA setup done", "MFA_SETUP", "customer|vendor|web_user:username:MFA_type"),
    ("MFA verification passed", "MFA_VRFY", "customer|vendor|web_user:username:MFA_type"),
    ("MFA required, but failed", "MFA_FAIL", "customer|vendor|web_user:username:MFA_type"),
]
# The seed's rows without a code: the codes are ours.
SEED_002_UNCODED = {
    "XMLAPI relayed to another environment": "XMLAPI_RLY",
    "Reset MFA configs, tokens and validations for ALL users": "MFA_RST_ALL",
    "Reset MFA configs, tokens and validations for a specific user": "MFA_RST",
}

# Seed 001's "Description of event types" table.
SEED_001_EVENT_TYPES = [
    "authorize",
    "login",
    "logout",
    "lock",
    "unlock",
    "activation",
    "deactivation",
    "status",
    "connect",
    "disconnect",
    "delete_chat_messages",
    "delete_chat_messages_cascade",
    "delete_conferences",
    "delete_connections",
    "delete_events",
    "delete_logs",
    "delete_video_recording",
    "delete_video_recordings",
    "start",
    "stop",
    "restart",
    "pro_license_limit",
    "pro_license_revocation",
]


@pytest.mark.parametrize(("description", "code", "syntax"), SEED_002, ids=[row[1] for row in SEED_002])
def test_every_action_code_of_the_seed_has_its_hint_and_syntax(description, code, syntax):
    assert AuditAction(code).label == description
    assert ACTION_SYNTAX[code] == syntax
    assert action_hint(code) == f"{description} — {syntax}"
    assert AuditRecord(action=code).action_hint == f"{description} — {syntax}"


def test_the_seed_rows_without_a_code_have_one_of_ours_with_a_syntax():
    for description, code in SEED_002_UNCODED.items():
        assert AuditAction(code).label == description
        assert ACTION_SYNTAX[code]


def test_no_code_beyond_the_seed_table():
    assert set(AuditAction.values) == {row[1] for row in SEED_002} | set(SEED_002_UNCODED.values())
    assert set(ACTION_SYNTAX) == set(AuditAction.values)


def test_every_event_type_of_the_seed_is_a_server_event_type():
    assert set(SEED_001_EVENT_TYPES) <= set(ServerEvent.EventType.values)


def test_status_codes_are_the_seed_ones():
    assert ServerEvent.Status.values == [-2, 0, 1, 2, 5]
