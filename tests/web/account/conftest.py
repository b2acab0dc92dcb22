from tests.web.auth.fixtures import (  # noqa: F401
    chromium,
    live_server,
    mailbox,
    mailing_app,
    make_account,
)
