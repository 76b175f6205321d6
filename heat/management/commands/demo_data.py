"""``manage.py demo_data``: the demo organisation and folios (heat/demo.py), once; and, with
``--orders N``, N folios more for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from asignaciones.models import Order, OrderEvent
from heat import demo
from heat.models import Distributor

# The one password of every demo user: it appears here and in the README, nowhere else.
DEMO_PASSWORD = "heat-demo-2026"  # noqa: S105 - public demo credentials, by design


class Command(BaseCommand):
    help = "Load the demo data (deterministic, idempotent); --orders N adds N folios for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (one query) when the database already has distributors.",
        )
        parser.add_argument(
            "--folios",
            type=int,
            default=demo.DEFAULT_FOLIOS,
            help=f"Folios in the demo set (default {demo.DEFAULT_FOLIOS}).",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=0,
            help="Add this many folios more, for benchmarks (e.g. 200000).",
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and not options["orders"]:
            counts = Distributor.objects.aggregate(
                total=Count("pk"), demo=Count("pk", filter=Q(code=demo.CITIES[0].code))
            )
            if counts["total"]:
                if counts["demo"]:
                    self.stdout.write(_("The demo data are already loaded."))
                    self._print_logins()
                return

        started = time.monotonic()
        if demo.demo_exists():
            if not options["orders"]:
                self.stdout.write(_("The demo data already exist: nothing was changed."))
        else:
            written = demo.build_demo(password=DEMO_PASSWORD, folios=options["folios"], seed=options["seed"])
            self.stdout.write(
                _("Demo data loaded: %(orders)s folios, %(events)s events, %(lines)s billing lines in %(seconds).1f s.")
                % {
                    "orders": written.orders,
                    "events": written.events,
                    "lines": written.billing_lines,
                    "seconds": time.monotonic() - started,
                }
            )
        if options["orders"]:
            started = time.monotonic()
            written = demo.add_orders(options["orders"], seed=options["seed"])
            # A bulk load leaves the visibility map empty until autovacuum passes, so counts
            # cannot use index-only scans meanwhile: vacuum now (outside the load's transaction)
            # so benchmarks measure the database as it runs in production. (Not possible inside a
            # caller's transaction, such as a test's.)
            if not connection.in_atomic_block:
                self._vacuum()
            self.stdout.write(
                _(
                    "Added %(orders)s folios (%(open)s open on %(distributor)s), %(events)s events, "
                    "%(materials)s material lines and %(lines)s billing lines in %(seconds).1f s."
                )
                % {
                    "orders": written.orders,
                    "open": sum(written.by_status.get(status, 0) for status in ("new", "assigned", "in_progress")),
                    "distributor": demo.BENCH_DISTRIBUTOR,
                    "events": written.events,
                    "materials": written.materials,
                    "lines": written.billing_lines,
                    "seconds": time.monotonic() - started,
                }
            )
        self._print_logins()

    def _vacuum(self) -> None:
        with connection.cursor() as cursor:
            for model in (Order, OrderEvent):
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")  # analysed by the load

    def _print_logins(self) -> None:
        roles = {
            "back_office": _("back office (administration)"),
            "master_viewer": _("master viewer (%(name)s)") % {"name": demo.MASTER_NAME},
        }
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
        for username, role in demo.demo_logins():
            kind, _sep, name = role.partition(":")
            if kind == "owner":
                label = _("owner of %(name)s") % {"name": name}
            elif kind == "dispatcher":
                label = _("dispatcher of %(name)s") % {"name": name}
            else:
                label = roles[kind]
            self.stdout.write(f"  {username:<18} {label}")
        self.stdout.write(
            _("  Technicians, two per crew: %(ranges)s.")
            % {
                "ranges": ", ".join(
                    f"{plan.short}_tec01a … {plan.short}_tec{len(plan.crew_zones):02d}b" for plan in demo.CITIES
                )
            }
        )
