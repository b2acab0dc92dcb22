"""Cookie consent: the banner's form target and the visitor's choice."""

from flask import Flask, request

from web.consent.choices import has_answered
from web.consent.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def consent_banner() -> dict[str, object]:
        def is_banner_shown() -> bool:
            return request.endpoint != "consent.choices_page" and not has_answered(request)

        return {"is_consent_banner_shown": is_banner_shown}
