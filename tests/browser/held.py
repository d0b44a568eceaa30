"""A page's read held back in the browser, to let its answer arrive late: what a slow
connection does to a page that reads while the person acts."""

from __future__ import annotations


def hold_first_read(page, api_path: str) -> list:
    """Hold the page's first GET of ``/api/v1{api_path}``; later requests go through.
    The held route lands in the list returned (``continue_()``, ``fetch()``,
    ``fulfill()`` it to let the answer arrive)."""
    held: list = []

    def handle(route):
        if route.request.method == "GET" and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/api/v1{api_path}", handle)
    return held


def wait_until_held(page, held: list, never: str) -> None:
    """Wait (10 s at most) for the page to make the held read; ``never`` says what
    failed if it does not."""
    for _ in range(500):
        if held:
            return
        page.wait_for_timeout(20)
    raise AssertionError(never)
