"""This app's rows of the scope matrix: (method, route) -> resource family."""
ENDPOINTS: dict[tuple[str, str], str] = {
    ("GET", "api/v1/lines"): "messages",
}
