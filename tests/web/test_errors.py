from tests.conftest import Client


def test_unknown_route_gets_a_friendly_404_in_indonesian(client: Client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Tidak ditemukan" in body and "<html" in body


def test_htmx_errors_come_back_as_a_toast(client: Client) -> None:
    response = client.hx("/no/such/page")
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)


def test_oversized_body_is_refused(client: Client) -> None:
    response = client.post("/login", {"username": "x" * (4 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413


def test_malformed_form_is_a_4xx(client: Client) -> None:
    response = client.post("/login", {"username": "", "password": ""})
    assert response.status_code == 422


def test_every_response_varies_on_hx_request(client: Client) -> None:
    assert "HX-Request" in client.get("/login").headers["Vary"]


def test_login_posts_are_rate_limited_per_address(db_path) -> None:  # type: ignore[no-untyped-def]
    from pos.extensions import db
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{db_path}", RATELIMIT_ENABLED=True)
    client = Client(app.test_client())
    statuses = [client.post("/login", {"username": f"nobody{n}", "password": "x"}).status_code for n in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    assert "Terlalu banyak percobaan" in client.post("/login", {"username": "x", "password": "y"}).get_data(
        as_text=True
    )
    with app.app_context():
        db.engine.dispose()
