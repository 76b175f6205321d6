"""The back office's admin: every changelist loads in a fixed number of queries, the audit trail is
read-only, folios are routed and moved only through the actions, policies change by version."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asignaciones import actions
from asignaciones.models import Action, Order, OrderEvent, Policy, Reason
from cuadrillas.models import Technician
from heat import demo
from tests import factories

pytestmark = pytest.mark.django_db

S = Order.Status
OUR_APPS = {"heat", "cuadrillas", "asignaciones", "facturacion", "auth"}


@pytest.fixture
def office(client, back_office):
    client.force_login(back_office)
    return client


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def our_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
        key=lambda model: model._meta.label,
    )


def queries_of(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def test_every_model_of_the_project_is_registered():
    from django.apps import apps

    for app in ("heat", "cuadrillas", "asignaciones", "facturacion"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model._meta.label


def test_every_changelist_loads_for_the_back_office_in_a_fixed_number_of_queries(client):
    call_command("demo_data", "--folios", "60", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username=demo.BACK_OFFICE_USERNAME))
    first = {}
    for model in our_models():
        status, count = queries_of(client, changelist_url(model))
        assert status == 200, model._meta.label
        assert count <= 14, (model._meta.label, count)
        first[model] = count
    # More of everything an order brings (folios, events, material, billing lines): same queries.
    call_command("demo_data", "--orders", "60", stdout=io.StringIO())
    for model in our_models():
        assert queries_of(client, changelist_url(model)) == (200, first[model]), model._meta.label
    # The order list's filters and search cost no more either.
    url = changelist_url(Order) + "?light=red&status__exact=assigned&q=Calle"
    assert queries_of(client, url)[0] == 200


def test_the_order_change_page_shows_the_trail_material_and_billing(office, assigned_order_a, technician_a):
    actions.start(assigned_order_a, by=technician_a)
    order = actions.complete(
        assigned_order_a, by=technician_a, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")]
    )
    response = office.get(reverse("admin:asignaciones_order_change", args=[order.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert order.folio in body
    for kind in (OrderEvent.Kind.ROUTED, OrderEvent.Kind.ASSIGNED, OrderEvent.Kind.COMPLETED):
        assert str(OrderEvent.Kind(kind).label) in body
    assert str(order.billing_line.total) in body


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client, dispatcher_a):
    client.force_login(dispatcher_a)
    response = client.get(changelist_url(Order))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_audit_trail_cannot_be_added_changed_or_deleted(office, order_a):
    event = order_a.events.get()
    model_admin = admin.site._registry[OrderEvent]
    request = type("Request", (), {"user": get_user_model().objects.get(username="oficina")})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert office.get(reverse("admin:asignaciones_orderevent_add")).status_code == 403
    assert office.get(reverse("admin:asignaciones_orderevent_delete", args=[event.pk])).status_code == 403
    change_url = reverse("admin:asignaciones_orderevent_change", args=[event.pk])
    assert office.get(change_url).status_code == 200  # viewable
    assert office.post(change_url, {"note": "edited"}).status_code == 403
    event.refresh_from_db()
    assert event.note == ""
    # Orders are never deleted either: their trail must stay whole.
    assert office.get(reverse("admin:asignaciones_order_delete", args=[order_a.pk])).status_code == 403


def posted(response) -> dict[str, object]:
    """What the browser would post back from an admin form page: the form's and every inline
    formset's current values, management forms included."""
    data: dict[str, object] = {}

    def put(bound_field) -> None:
        if bound_field.field.show_hidden_initial:  # fields with a callable default, e.g. JSON
            data[bound_field.html_initial_name] = bound_field.field.prepare_value(bound_field.initial)
        value = bound_field.value()
        if value is None or value is False or isinstance(value, FieldFile):
            return  # unchecked boxes and files are not posted
        widget = bound_field.field.widget
        if isinstance(widget, forms.MultiWidget):  # e.g. a date and a time
            for suffix, subwidget, part in zip(
                widget.widgets_names, widget.widgets, widget.decompress(value), strict=True
            ):
                data[bound_field.html_name + suffix] = subwidget.format_value(part)
            return
        data[bound_field.html_name] = "on" if value is True else value

    for bound_field in response.context["adminform"].form:
        put(bound_field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound_field in formset.management_form:
            put(bound_field)
        for form in formset.forms:
            for bound_field in form:
                put(bound_field)
    return data


def order_form(distributor, **overrides) -> dict[str, str]:
    from asignaciones.models import Brand, ServiceType

    data = {
        "folio": "ADM0001",
        "service_request": "SS123",
        "distributor": str(distributor.pk),
        "brand": str(Brand.objects.get(code="sky").pk),
        "service_type": str(ServiceType.objects.get(code="REP").pk),
        "priority": "1",
        "customer_name": "Rosa Ramírez",
        "customer_phone": "5551234567",
        "account_number": "501234",
        "package": "SKY HD",
        "street": "Calle Morelos",
        "exterior_number": "12",
        "interior_number": "",
        "between_streets": "",
        "neighborhood": "Centro",
        "municipality": "Cuauhtémoc",
        "city": "Ciudad de México",
        "state": "Ciudad de México",
        "postal_code": "06000",
        "references": "",
        "latitude": "19.432600",
        "longitude": "-99.133200",
        "appointment_date": "",
        "appointment_window": "",
    }
    data.update(overrides)
    return data


def test_the_add_form_routes_a_folio_through_route_order(office, distributor_a, back_office):
    response = office.post(reverse("admin:asignaciones_order_add"), order_form(distributor_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get(folio="ADM0001")
    assert order.status == S.NEW and order.crew is None
    assert order.deadline == order.routed_at + dt.timedelta(hours=order.service_type.sla_hours)
    event = order.events.get()
    assert event.kind == OrderEvent.Kind.ROUTED and event.actor == back_office


def test_a_refused_routing_is_a_form_error_not_a_crash(office, distributor_a):
    distributor_a.active = False
    distributor_a.save(update_fields=["active"])
    response = office.post(reverse("admin:asignaciones_order_add"), order_form(distributor_a))
    assert response.status_code == 200
    assert "no está activo" in response.content.decode() or "is not active" in response.content.decode()
    assert not Order.objects.filter(folio="ADM0001").exists()
    assert not OrderEvent.objects.exists()


def test_the_change_form_fixes_customer_data_but_never_the_status(office, order_a):
    url = reverse("admin:asignaciones_order_change", args=[order_a.pk])
    response = office.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields and "crew" not in form.fields and "deadline" not in form.fields
    data = {**posted(response), "customer_name": "Nombre Corregido", "status": "cancelled"}
    response = office.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order_a.refresh_from_db()
    assert order_a.customer_name == "Nombre Corregido"
    assert order_a.status == S.NEW
    assert order_a.events.count() == 1


def cancel_reason(code: str = "CLIENTE") -> Reason:
    return Reason.objects.get(action=Action.CANCEL, code=code)


def test_cancel_action_cancels_the_good_folio_and_refuses_the_closed_one(
    office, order_a, distributor_a, crew_a1, technician_a, dispatcher_a, back_office
):
    closed = factories.make_order(distributor_a)
    actions.assign(closed, crew_a1, by=dispatcher_a)
    actions.complete(
        closed, by=technician_a, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")]
    )
    closed_events = closed.events.count()
    policy = Policy.objects.get(action=Action.CANCEL, active=True)
    url = changelist_url(Order)
    selection = {"action": "cancel_selected", "_selected_action": [order_a.pk, closed.pk]}

    page = office.post(url, selection)  # the confirmation page
    assert page.status_code == 200
    body = page.content.decode()
    assert order_a.folio in body and closed.folio in body and policy.title in body

    response = office.post(
        url,
        {
            **selection,
            "select_across": "0",
            "apply": "yes",
            "reason": cancel_reason().pk,
            "other_folio": "",
            "note": "El cliente llamó",
            "acknowledged": "on",
            "policy_ids": str(policy.pk),
        },
        follow=True,
    )
    assert response.status_code == 200
    order_a.refresh_from_db()
    assert order_a.status == S.CANCELLED
    event = order_a.events.latest("at")
    assert event.kind == OrderEvent.Kind.CANCELLED and event.actor == back_office
    assert event.data["policy"]["id"] == policy.pk and event.note == "El cliente llamó"
    closed.refresh_from_db()
    assert closed.status == S.COMPLETED and closed.events.count() == closed_events
    messages = [str(m) for m in response.context["messages"]]
    assert any(order_a.folio in m for m in messages)
    refusal = next(m for m in messages if closed.folio in m and m != messages[0])
    assert str(S.COMPLETED.label).lower() in refusal.lower(), messages  # why it was refused


def test_cancel_action_needs_the_policy_acknowledged(office, order_a):
    policy = Policy.objects.get(action=Action.CANCEL, active=True)
    response = office.post(
        changelist_url(Order),
        {
            "action": "cancel_selected",
            "_selected_action": [order_a.pk],
            "apply": "yes",
            "reason": cancel_reason().pk,
            "policy_ids": str(policy.pk),
        },
    )
    assert response.status_code == 200  # the page again, with the checkbox's error
    assert response.context["form"].errors["acknowledged"]
    order_a.refresh_from_db()
    assert order_a.status == S.NEW and order_a.events.count() == 1


def test_a_duplicate_needs_the_other_folio(office, order_a, distributor_a):
    other = factories.make_order(distributor_a)
    policy = Policy.objects.get(action=Action.CANCEL, active=True)
    data = {
        "action": "cancel_selected",
        "_selected_action": [order_a.pk],
        "apply": "yes",
        "reason": cancel_reason("DUPLICADA").pk,
        "acknowledged": "on",
        "policy_ids": str(policy.pk),
    }
    office.post(changelist_url(Order), {**data, "other_folio": ""})
    order_a.refresh_from_db()
    assert order_a.status == S.NEW
    office.post(changelist_url(Order), {**data, "other_folio": other.folio})
    order_a.refresh_from_db()
    assert order_a.status == S.CANCELLED
    assert order_a.events.latest("at").data["duplicate_of"] == other.folio


def test_cancel_from_the_folio_change_form(office, order_a):
    policy = Policy.objects.get(action=Action.CANCEL, active=True)
    url = reverse("admin:asignaciones_order_change", args=[order_a.pk])
    page = office.post(url, {"CHANGE_FORM-action": "cancel_selected", "_selected_action": [order_a.pk]})
    assert page.status_code == 200 and b'name="CHANGE_FORM-action"' in page.content
    response = office.post(
        url,
        {
            "CHANGE_FORM-action": "cancel_selected",
            "_selected_action": [order_a.pk],
            "apply": "yes",
            "reason": cancel_reason().pk,
            "acknowledged": "on",
            "policy_ids": str(policy.pk),
        },
    )
    assert response.status_code == 302
    order_a.refresh_from_db()
    assert order_a.status == S.CANCELLED


def test_unassign_action_returns_assigned_folios_and_refuses_new_ones(office, assigned_order_a, distributor_a):
    new = factories.make_order(distributor_a)
    url = changelist_url(Order)
    selection = {"action": "unassign_selected", "_selected_action": [assigned_order_a.pk, new.pk]}
    assert office.post(url, selection).status_code == 200
    response = office.post(url, {**selection, "apply": "yes", "note": ""}, follow=True)
    assigned_order_a.refresh_from_db()
    assert assigned_order_a.status == S.NEW and assigned_order_a.crew is None
    assert assigned_order_a.events.latest("at").kind == OrderEvent.Kind.UNASSIGNED
    assert new.events.count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any(new.folio in m for m in messages) and any(assigned_order_a.folio in m for m in messages)


def test_changing_a_policy_saves_a_new_version_and_keeps_the_old_one(office, catalogue):
    old = Policy.objects.get(action=Action.REJECT, service_type=None, version=1)
    url = reverse("admin:asignaciones_policy_change", args=[old.pk])
    response = office.post(url, {**posted(office.get(url)), "rules": '{"window_hours": 12}'})
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Policy.objects.get(action=Action.REJECT, service_type=None, version=2)
    assert new.rules == {"window_hours": 12} and new.active
    old.refresh_from_db()
    assert old.rules == {"window_hours": 24} and not old.active
    from asignaciones.rules import policy_for

    assert policy_for(Action.REJECT, None) == new


def test_changing_only_the_active_flag_edits_the_version_in_place(office, catalogue):
    policy = Policy.objects.get(action=Action.REJECT, service_type=None, version=1)
    url = reverse("admin:asignaciones_policy_change", args=[policy.pk])
    data = posted(office.get(url))
    del data["active"]
    response = office.post(url, data)
    assert response.status_code == 302
    assert Policy.objects.filter(action=Action.REJECT).count() == 1
    policy.refresh_from_db()
    assert not policy.active


def test_the_technician_add_form_creates_the_user_with_its_password(office, crew_a1):
    response = office.post(
        reverse("admin:cuadrillas_technician_add"),
        {
            "crew": crew_a1.pk,
            "employee_number": "E-900",
            "phone": "5511112222",
            "active": "on",
            "new_username": "nuevo_tecnico",
            "new_first_name": "Pedro",
            "new_last_name": "Luna",
            "new_email": "",
            "new_password1": "Satelite-2026!",
            "new_password2": "Satelite-2026!",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    technician = Technician.objects.get(employee_number="E-900")
    assert technician.user.username == "nuevo_tecnico" and technician.crew == crew_a1
    assert technician.user.check_password("Satelite-2026!") and not technician.user.is_staff


def test_the_technician_add_form_refuses_mismatched_passwords(office, crew_a1):
    response = office.post(
        reverse("admin:cuadrillas_technician_add"),
        {
            "crew": crew_a1.pk,
            "employee_number": "E-901",
            "active": "on",
            "new_username": "otro_tecnico",
            "new_password1": "Satelite-2026!",
            "new_password2": "Satelite-2027!",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="otro_tecnico").exists()


def test_searching_a_folio_finds_that_folio_and_its_trail(office, order_a, distributor_a):
    other = factories.make_order(distributor_a, customer_name="Otro Cliente")
    response = office.get(changelist_url(Order), {"q": order_a.folio})
    assert [o.pk for o in response.context["cl"].result_list] == [order_a.pk]
    response = office.get(changelist_url(OrderEvent), {"q": other.folio})
    assert {e.order_id for e in response.context["cl"].result_list} == {other.pk}
    response = office.get(changelist_url(Order), {"q": "Otro Cliente"})
    assert [o.pk for o in response.context["cl"].result_list] == [other.pk]


def test_a_policy_page_lists_every_version(office, catalogue):
    old = Policy.objects.get(action=Action.REJECT, service_type=None, version=1)
    url = reverse("admin:asignaciones_policy_change", args=[old.pk])
    office.post(url, {**posted(office.get(url)), "title": "Política de rechazo 2027"})
    new = Policy.objects.get(action=Action.REJECT, service_type=None, version=2)
    body = office.get(reverse("admin:asignaciones_policy_change", args=[new.pk])).content.decode()
    assert "v1 · Política de rechazo de folios" in body and "v2 · Política de rechazo 2027" in body
