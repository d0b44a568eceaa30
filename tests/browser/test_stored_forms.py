"""A form that shows a stored setting waits, its fields disabled, until the setting is
read: a choice made before the read answers would otherwise be put back by the late
answer and saved as the old value under "Saved." (a shop picking "the recipient's code"
on a slow connection kept "no proof"). Each such page, with its read held back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.held import hold_first_read, wait_until_held

CASES = {  # role, page, API read, form, field, value to give, where "saved" shows, stored
    "the shop's proof": ("merchant", "/shop", "/shop/proof-policy", "#proof-policy-form",
                         "select[name=required]", "code", "#proof-policy-saved",
                         lambda actor: actor.get("/shop/proof-policy").json["required"]),
    "the shop's messages": ("merchant", "/shop/messages", "/shop/messages", "#kinds-form",
                            "input[name=kind][value=delivered]", None, "#saved",
                            lambda actor: "delivered" in actor.get("/shop/messages").json["kinds"]),
    "the council's retention": ("council", "/council/privacy", "/privacy/retention",
                                "#retention-form", "input[name=days]", "45", "#retention-saved",
                                lambda actor: str(actor.get("/privacy/retention").json["days"])),
    "the council's hand-off rule": ("council", "/council/federation", "/federation",
                                    "#rule-form", "input[name=pending_minutes]", "25",
                                    "#rule-saved", lambda actor: str(actor.get(
                                        "/federation").json["settings"]["pending_minutes"])),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_stored_setting_read_late_never_undoes_what_the_person_picked(
        open_page, make_user, make_merchant, case):
    role, page_path, api_path, form, field, value, saved, stored = CASES[case]
    actor = make_merchant("Épicerie Rosa") if role == "merchant" else make_user(role)
    page = open_page(phone=False)
    held = hold_first_read(page, api_path)
    login(page, actor)
    if page_path != "/shop":
        page.goto(page_path)
    wait_until_held(page, held, "the page never read its stored setting")
    control = page.locator(f"{form} {field}")
    expect(control).to_be_disabled()  # nothing to pick before the stored value is read
    held[0].continue_()
    expect(control).to_be_enabled()
    if value is None:
        was = control.is_checked()
        control.set_checked(not was)
    else:
        control.select_option(value) if field.startswith("select") else control.fill(value)
    page.click(f"{form} button")
    if saved == "#saved":  # a status line, empty until something is saved
        expect(page.locator(saved)).to_have_text(re.compile(r"\S"))
    else:
        expect(page.locator(saved)).to_be_visible()
    if value is None:
        assert stored(actor) is (not was)
    else:
        assert stored(actor) == value
