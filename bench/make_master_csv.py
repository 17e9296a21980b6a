"""Write a Master.csv shaped as Asterisk's cdr_csv writes it, for measuring the importer.

    python bench/make_master_csv.py bench/data/Master.csv --lines 200000

Asterisk 13+ with loguniqueid, loguserfield and newcdrcolumns (21 columns), times as usegmtime=yes
writes them (read them with --timezone UTC: a UTC clock repeats no hour), a mix of answered,
unanswered, busy and congested calls between 150 extensions and outside numbers.
"""

import argparse
import datetime
import random
from pathlib import Path

DISPOSITIONS = ["ANSWERED"] * 6 + ["NO ANSWER", "NO ANSWER", "BUSY", "CONGESTION", "FAILED", "CANCEL"]


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def line(rng: random.Random, n: int, start: datetime.datetime) -> str:
    src = str(200 + rng.randrange(150))
    dst = str(200 + rng.randrange(150)) if rng.random() < 0.6 else f"+3906{rng.randrange(10**7):07d}"
    disposition = rng.choice(DISPOSITIONS)
    ring = rng.randint(1, 25)
    talk = rng.randint(3, 900) if disposition == "ANSWERED" else 0
    answer = start + datetime.timedelta(seconds=ring) if talk else None
    end = start + datetime.timedelta(seconds=ring + talk)
    stamp = "%Y-%m-%d %H:%M:%S"
    uniqueid = f"{int(start.timestamp())}.{n}"
    fields = [
        quoted(""),
        quoted(src),
        quoted(dst),
        quoted("from-internal"),
        quoted(f'"User {src}" <{src}>'),
        quoted(f"PJSIP/{src}-{n:08x}"),
        quoted(f"PJSIP/{dst}-{n + 1:08x}"),
        quoted("Dial"),
        quoted(f"PJSIP/{dst},30,tT"),
        quoted(start.strftime(stamp)),
        quoted(answer.strftime(stamp)) if answer else "",
        quoted(end.strftime(stamp)),
        str(ring + talk),
        str(talk),
        quoted(disposition),
        quoted("DOCUMENTATION"),
        quoted(uniqueid),
        quoted(""),
        quoted(""),
        quoted(uniqueid),
        str(n),
    ]
    return ",".join(fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = datetime.datetime(2026, 10, 1, 8, 0, 0)  # noqa: DTZ001 - Asterisk writes local wall-clock times
    span = datetime.timedelta(days=30).total_seconds()
    args.path.parent.mkdir(parents=True, exist_ok=True)
    with args.path.open("w", encoding="utf-8", newline="") as out:
        for n in range(args.lines):
            moment = start + datetime.timedelta(seconds=int(span * n / args.lines))
            out.write(line(rng, n, moment) + "\n")


if __name__ == "__main__":
    main()
