"""`make bench` (`python -m bench`): make the benchmark database, load it at SCALE with COPY, serve
the console with gunicorn, run every measurement beside its reference, print the table and write
it to bench/results.md.

    SCALE=1m make bench                      # the default: 1M CDRs and 1M SIP events
    SCALE=10m make bench                     # 10M of each; the workloads are 1M
    .venv/bin/python -m bench --only pages,export --reuse-data   # again, on the loaded data
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE") or "1m", help="rows per big table: 1m, 10m, 200k")
    parser.add_argument("--only", default="", help="comma-separated measurements to run (default: all)")
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep the loaded database (measurements change it: for reruns)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    options = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    from bench import database

    url = os.environ.get("BENCH_DATABASE_URL") or database.DEFAULT_URL
    database.require_psql()
    version = database.server_version(url) if options.reuse_data else database.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

    import django

    django.setup()

    from bench.context import Context, prepare_users
    from bench.dataset import Scale, generate
    from bench.harness import LoadSampler, Report, timed
    from bench.measures import MEASURES
    from bench.results import write_results
    from bench.server import Server

    scale = Scale.parse(options.scale)
    only = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = set(only) - set(MEASURES)
    if unknown:
        raise SystemExit(f"bench: unknown measurement(s) {', '.join(sorted(unknown))}; known: {', '.join(MEASURES)}")
    started = datetime.datetime.now(datetime.UTC)
    load = LoadSampler().start()
    report = Report()
    wall = time.monotonic()
    if options.reuse_data:
        from rest_framework.authtoken.models import Token

        token = Token.objects.get(user__username="ingest.bench").key
        loaded = None
    else:
        from django.core.management import call_command

        print(f"bench: database {url.rsplit('/', 1)[-1]} made afresh, migrating")
        call_command("migrate", verbosity=0)
        print(f"bench: loading SCALE={scale.label}")
        loaded = generate(scale)
        token = prepare_users()
        print(f"bench: {loaded.describe()}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with Server(root=ROOT, env=env, log=ROOT / "var" / "bench-gunicorn.log") as server:
        ctx = Context(scale=scale, server=server, database_url=url, root=ROOT, report=report, token=token)
        for name, module in MEASURES.items():
            if only and name not in only:
                continue
            print(f"bench: [{name}] {module.__doc__.splitlines()[0]}")
            with timed() as clock:
                module.run(ctx)
            print(f"bench: [{name}] done in {clock['seconds']:.0f} s")
    write_results(
        options.out,
        report=report,
        scale=scale,
        loaded=loaded,
        started=started,
        seconds=time.monotonic() - wall,
        load=load.stop(),
        postgres=version,
    )
    print(f"bench: written to {options.out.relative_to(ROOT) if options.out.is_relative_to(ROOT) else options.out}")


if __name__ == "__main__":
    main()
