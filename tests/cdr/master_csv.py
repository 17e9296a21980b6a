"""Master.csv lines shaped exactly as Asterisk's cdr_csv writes them, one per layout and quirk.

Every text field quoted with inner quotes doubled, an unset answer time written as nothing, numbers
bare, times "YYYY-MM-DD HH:MM:SS". BASE_* are the 16 columns; the layouts append what cdr.conf
asks for (loguniqueid, loguserfield, newcdrcolumns).
"""

# An answered internal call; clid with a quoted name, lastdata with commas.
BASE_ANSWERED = (
    '"","1001","1002","from-internal","""Alice Smith"" <1001>","PJSIP/1001-0000000a","PJSIP/1002-0000000b",'
    '"Dial","PJSIP/1002,30,tT","2026-03-05 10:15:01","2026-03-05 10:15:04","2026-03-05 10:17:20",139,136,'
    '"ANSWERED","DOCUMENTATION"'
)
# Unanswered: the answer time is empty and unquoted, billsec 0.
BASE_NO_ANSWER = (
    '"","1001","1003","from-internal","""Alice Smith"" <1001>","PJSIP/1001-0000000c","PJSIP/1003-0000000d",'
    '"Dial","PJSIP/1003,30","2026-03-05 10:20:00",,"2026-03-05 10:20:30",30,0,"NO ANSWER","DOCUMENTATION"'
)
# From the trunk: a comma and doubled quotes inside clid, an account code, BILLING.
BASE_TRUNK = (
    '"sales","+390612345678","1002","from-trunk","""Rossi, Mario"" <+390612345678>","PJSIP/trunk-0000000e",'
    '"PJSIP/1002-0000000f","Queue","support,t,,,300","2026-03-05 11:00:00","2026-03-05 11:00:10",'
    '"2026-03-05 11:05:10",310,300,"ANSWERED","BILLING"'
)


def base(disposition: str = "BUSY", amaflags: str = "OMIT", start: str = "2026-03-05 12:00:00") -> str:
    """A short failed-ish call with the given disposition and AMA flags words."""
    return (
        f'"","1002","1001","from-internal","""Bob"" <1002>","SIP/1002-00000010","SIP/1001-00000011","Dial",'
        f'"SIP/1001,20","{start}",,"{start[:-2]}05",5,0,"{disposition}","{amaflags}"'
    )


L16 = BASE_ANSWERED
L17_UNIQUEID = BASE_ANSWERED + ',"1772705701.10"'
L17_USERFIELD = BASE_ANSWERED + ',"campaign=spring"'
L18 = BASE_ANSWERED + ',"pbx1-1772705701.10","vip ""gold"""'
L19 = BASE_ANSWERED + ',"peer-acc","1772705701.9",42'
L20_UNIQUEID = BASE_ANSWERED + ',"1772705701.10","","1772705701.9",43'
L20_USERFIELD = BASE_ANSWERED + ',"transfer","","1772705701.9",44'
L21 = BASE_TRUNK + ',"1772708400.20","vip","peer-acc","1772708400.20",7'
# A user field with a line break in it: Asterisk writes it as is, the record spans two lines.
L18_MULTILINE = BASE_NO_ANSWER + ',"1772705999.11","first line\nsecond line"'


def master(*lines: str, end: str = "\n") -> bytes:
    return "".join(line + end for line in lines).encode("utf-8")
