"""/docs (Swagger UI) and /redoc in headless Chromium, offline, against the real `evaluator serve`: their
scripts come from the server itself (package fastapi-offline), so they render with no network, and they
list every operation of the server's own OpenAPI schema."""

from __future__ import annotations

from playwright.sync_api import expect


def operations(server) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every operation in the server's /openapi.json."""
    schema = server.api.get("/openapi.json").json()
    return [
        (method, path, op["summary"]) for path, ops in schema["paths"].items() for method, op in ops.items()
    ]


def assert_stayed_on_the_server(page, server) -> None:
    """No request reached the network for another host, and none failed a page would need.

    ReDoc hard-codes one image on a CDN (its logo, hidden when it fails to load): the docs pages'
    Content-Security-Policy blocks it in the browser, before any network access."""
    assert page.outside == []
    blocked = [e for e in page.errors if "violates the following Content Security Policy" in e]
    assert [e for e in page.errors if e not in blocked] == []
    assert all("'https://cdn.redoc.ly/redoc/logo-mini.svg'" in e for e in blocked), blocked
    elsewhere = [url for url in page.requests if not url.startswith((server.base + "/", "data:", "blob:"))]
    assert elsewhere == ["https://cdn.redoc.ly/redoc/logo-mini.svg"] * len(blocked), elsewhere


def test_swagger_ui_lists_every_operation_offline(server, open_page, output_dir):
    page = open_page(path="/docs")
    title = server.api.get("/openapi.json").json()["info"]["title"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    listed = operations(server)
    expect(page.locator(".opblock")).to_have_count(len(listed))
    for method, path, summary in listed:
        block = page.locator(f".opblock-{method}").filter(
            has=page.locator(f".opblock-summary-path[data-path='{path}']")
        )
        expect(block).to_have_count(1)
        expect(block.locator(".opblock-summary-description")).to_have_text(summary)
    expect(page.locator(".swagger-ui .btn.authorize")).to_be_visible()  # the X-API-Key scheme
    page.screenshot(path=str(output_dir / "api-docs-swagger.png"), full_page=False)
    assert_stayed_on_the_server(page, server)


def test_redoc_renders_every_operation_offline(server, open_page, output_dir):
    page = open_page(path="/redoc")
    title = server.api.get("/openapi.json").json()["info"]["title"]
    expect(page.locator("h1").first).to_contain_text(title)
    for _, _, summary in operations(server):
        expect(page.locator("h2", has_text=summary).first).to_be_attached()
    page.screenshot(path=str(output_dir / "api-docs-redoc.png"), full_page=False)
    assert_stayed_on_the_server(page, server)
