from django.urls import path

from asignaciones.views import board, documents, orders

app_name = "asignaciones"

urlpatterns = [
    path("", board.board, name="board"),
    path("exportar.csv", board.export_csv, name="export_csv"),
    path("exportar.xlsx", board.export_xlsx, name="export_xlsx"),
    path("asignar-seleccionados/", board.bulk_assign, name="bulk_assign"),
    path("politicas/<int:pk>/", documents.policy_document, name="policy"),
    path("folio/<str:folio>/", orders.order_detail, name="order"),
    path("folio/<str:folio>/asignar/", orders.assign, name="assign"),
    path("folio/<str:folio>/desasignar/", orders.unassign, name="unassign"),
    path("folio/<str:folio>/imprimir/", documents.print_order, name="print"),
    path("folio/<str:folio>/reagendar/", orders.order_action, {"action": "reschedule"}, name="reschedule"),
    path("folio/<str:folio>/rechazar/", orders.order_action, {"action": "reject"}, name="reject"),
    path("folio/<str:folio>/cancelar/", orders.order_action, {"action": "cancel"}, name="cancel"),
    path("folio/<str:folio>/cambiar-tipo/", orders.order_action, {"action": "change_type"}, name="change_type"),
]
