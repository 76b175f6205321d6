"""Policy PDFs: built from their sources, attached to the rows, served inline to portal users."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from asignaciones.management.commands.build_policies import attach_documents, build_pdfs
from asignaciones.models import Action, Policy, ServiceType

ACTIONS = [a.value for a in Action]


def test_every_action_has_a_committed_pdf_and_recovery_has_its_own_closing_policy():
    directory = Path(settings.POLICIES_DIR)
    for action in ACTIONS:
        assert (directory / f"{action}.pdf").read_bytes().startswith(b"%PDF")
        assert (directory / "src" / f"{action}.html").exists()
    assert (directory / "complete-REC.pdf").read_bytes().startswith(b"%PDF")


def test_the_sources_state_the_rule_values_the_system_enforces():
    src = Path(settings.POLICIES_DIR) / "src"
    assert "máximo 3" in (src / "reschedule.html").read_text()
    assert "7 días" in (src / "reschedule.html").read_text()
    assert "24 horas" in (src / "reject.html").read_text()


def test_building_again_rebuilds_only_what_changed(tmp_path):
    shutil.copytree(Path(settings.POLICIES_DIR) / "src", tmp_path / "src")
    built, unchanged = build_pdfs(tmp_path)
    assert len(built) == 7 and unchanged == []
    assert build_pdfs(tmp_path) == ([], sorted(built))
    (tmp_path / "src" / "reject.html").write_text("<h1>Otra</h1>")
    assert build_pdfs(tmp_path)[0] == ["reject.pdf"]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_command_attaches_each_pdf_once_and_never_replaces_an_uploaded_version(catalogue, media):
    rec = ServiceType.objects.get(code="REC")  # the catalogue has a closing policy of its own for REC
    call_command("build_policies", verbosity=0)
    rows = Policy.objects.all()
    assert all(p.document for p in rows)
    assert Policy.objects.get(service_type=rec).document.name.endswith("complete-REC.pdf")
    names = {p.pk: p.document.name for p in rows}
    attached, left = attach_documents(Path(settings.POLICIES_DIR))
    assert attached == [] and len(left) == rows.count()
    assert {p.pk: p.document.name for p in Policy.objects.all()} == names
    uploaded = Policy.objects.get(action="reject", service_type=None)
    uploaded.document.name = "policies/reject/rechazo-v1-firmada.pdf"
    uploaded.save(update_fields=["document"])
    attach_documents(Path(settings.POLICIES_DIR))
    uploaded.refresh_from_db()
    assert uploaded.document.name == "policies/reject/rechazo-v1-firmada.pdf"


def test_the_command_only_builds_when_there_are_no_policy_rows(db, media):
    Policy.objects.all().delete()
    call_command("build_policies", verbosity=0)
    assert not Policy.objects.exists()


def test_a_policy_opens_inline_as_a_pdf_for_portal_users(client, dispatcher_a, technician_a):
    policy = Policy.objects.get(action="reschedule", service_type=None)
    for user in (dispatcher_a, technician_a):
        client.force_login(user)
        response = client.get(reverse("asignaciones:policy", args=[policy.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_inactive_policy_version_is_a_404_for_the_portal(client, dispatcher_a):
    policy = Policy.objects.get(action="reschedule", service_type=None)
    policy.active = False
    policy.save(update_fields=["active"])
    client.force_login(dispatcher_a)
    assert client.get(reverse("asignaciones:policy", args=[policy.pk])).status_code == 404


def test_policies_need_a_login(client, catalogue):
    policy = Policy.objects.first()
    assert client.get(reverse("asignaciones:policy", args=[policy.pk])).status_code == 302


def test_the_newest_version_is_the_one_offered(client, dispatcher_a, order_a):
    old = Policy.objects.get(action="reject", service_type=None)
    new = Policy.objects.create(
        action="reject", version=2, title=old.title, rules=old.rules, effective_from=timezone.now() - dt.timedelta(1)
    )
    client.force_login(dispatcher_a)
    response = client.get(reverse("asignaciones:reject", args=[order_a.folio]))
    assert reverse("asignaciones:policy", args=[new.pk]) in response.text
