"""A SIP source's final response code as a CDR disposition (DESIGN.md "Real sources").

Kamailio (or any SIP proxy) knows how a call ended only as the final SIP response; the console,
not the proxy's script, turns it into Asterisk's four dispositions, so every source maps alike.
"""

BUSY_CODES = frozenset({486, 600})  # Busy Here, Busy Everywhere
NO_ANSWER_CODES = frozenset({408, 480, 487})  # Request Timeout, Temporarily Unavailable, Request Terminated


def disposition_for_sip_code(code: int) -> str:
    """2xx ANSWERED; 486, 600 BUSY; 408, 480, 487 NO_ANSWER; any other code FAILED."""
    if 200 <= code <= 299:
        return "ANSWERED"
    if code in BUSY_CODES:
        return "BUSY"
    if code in NO_ANSWER_CODES:
        return "NO_ANSWER"
    return "FAILED"


def sip_code_source(code: int) -> str:
    """The disposition's source word for a disposition derived from the code: `SIP 486`."""
    return f"SIP {code}"
