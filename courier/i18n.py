"""Language choice: the user's setting, else the browser's, French first."""

from flask import current_app, request
from flask_login import current_user


def select_locale() -> str:
    langs = current_app.config["LANGUAGES"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "locale", None) in langs:
        return user.locale
    chosen = request.cookies.get("lang")
    if chosen in langs:
        return chosen
    return request.accept_languages.best_match(langs) or langs[0]
