from tests.web.auth.fixtures import (  # noqa: F401
    live_server,
    mailbox,
    mailing_app,
    make_account,
)
