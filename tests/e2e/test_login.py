import pytest

from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_logs_in_through_the_real_login_page_in_spanish(page, live_server, dispatcher_a):
    page.goto(f"{live_server.url}/")
    assert "/entrar/" in page.url  # anonymous users are sent to the login page
    assert "Iniciar sesión" in page.content()
    screenshot(page, "login-desktop")
    log_in(page, live_server, "dispatcher_a", PASSWORD)
    assert "/entrar/" not in page.url
    assert "Cerrar sesión" in page.content()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_refused_with_a_message(page, live_server, dispatcher_a):
    log_in(page, live_server, "dispatcher_a", "not-the-password")
    assert "/entrar/" in page.url
    assert "usuario" in page.content().lower()
