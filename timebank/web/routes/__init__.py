"""The pages' routes, one module per job: logging in and the ways back in, home, recording and
answering exchanges, one's own statement, spending and giving credits, benefits, email and
messages, downloading one's data, the password, the pages a message's link opens; the
coordinators' members (``members*``: the list and a member's page, adding, changing, recording for
them, and the fields and the finding of people those forms share), a member's login, the waiting
list, reversals, reports, organisations, settings and the audit log; and the staff's activities,
attendance, expenses and spend options.

Which modules serve pages, and in what order their routes are tried, is said once, in
``timebank.web.pages.PAGE_MODULES``; this package lists nothing itself."""

__all__: list[str] = []
