"""Build the policy PDFs in policies/ from their sources in policies/src/, and attach them to
the Policy rows that have no document of their own.

Fast and idempotent: a PDF is rebuilt only when its source (or the shared style) changed since
the last build (policies/build.json keeps the sources' digests), and a row is re-attached only
when its attached file is one of ours and its content differs. A document the back office
uploaded in the admin (another file name) is never replaced. With no Policy rows yet, only the
PDFs are built.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction

from asignaciones.models import Policy
from asignaciones.pdf import policy_file_name

STYLE = "_style.css"
MANIFEST = "build.json"


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def build_pdfs(directory: Path, *, force: bool = False) -> tuple[list[str], list[str]]:
    """Render each ``src/<name>.html`` to ``<name>.pdf``; return (built, unchanged) names."""
    from weasyprint import CSS, HTML

    source_dir = directory / "src"
    style = (source_dir / STYLE).read_bytes()
    manifest_path = directory / MANIFEST
    manifest: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    built, unchanged = [], []
    for source in sorted(source_dir.glob("*.html")):
        body = source.read_bytes()
        digest = _digest(style, body)
        target = directory / f"{source.stem}.pdf"
        if not force and manifest.get(source.stem) == digest and target.exists():
            unchanged.append(target.name)
            continue
        html = (
            f'<!doctype html><html lang="es-MX"><head><meta charset="utf-8"></head><body>{body.decode()}</body></html>'
        )
        HTML(string=html, base_url=str(source_dir)).write_pdf(target, stylesheets=[CSS(string=style.decode())])
        manifest[source.stem] = digest
        built.append(target.name)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return built, unchanged


def attach_documents(directory: Path) -> tuple[list[str], list[str]]:
    """Attach the built PDF to each Policy row; return (attached, left as they were)."""
    attached, left = [], []
    for policy in Policy.objects.select_related("service_type").order_by("pk"):
        name = policy_file_name(policy.action, policy.service_type.code if policy.service_type else None)
        path = directory / name
        label = f"{policy.action}{'/' + policy.service_type.code if policy.service_type else ''} v{policy.version}"
        if not path.exists():
            left.append(label)
            continue
        content = path.read_bytes()
        if policy.document:
            ours = Path(policy.document.name).name.startswith(Path(name).stem)
            if not ours or _stored_digest(policy) == _digest(content):
                left.append(label)
                continue
            policy.document.delete(save=False)
        with transaction.atomic(), path.open("rb") as handle:
            policy.document.save(name, File(handle), save=False)
            policy.save(update_fields=["document"])
        attached.append(label)
    return attached, left


def _stored_digest(policy: Policy) -> str | None:
    try:
        with policy.document.open("rb") as handle:
            return _digest(handle.read())
    except FileNotFoundError:
        return None


class Command(BaseCommand):
    help = "Build the policy PDFs from policies/src/ and attach them to the Policy rows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Rebuild every PDF even if its source is unchanged.")
        parser.add_argument("--no-attach", action="store_true", help="Only build the PDFs.")

    def handle(self, *args, force: bool = False, no_attach: bool = False, **options) -> None:
        directory = Path(settings.POLICIES_DIR)
        built, unchanged = build_pdfs(directory, force=force)
        self.stdout.write(f"Policies: {len(built)} PDF built, {len(unchanged)} unchanged.")
        if no_attach:
            return
        attached, left = attach_documents(directory)
        self.stdout.write(f"Policy rows: {len(attached)} attached, {len(left)} left as they were.")
