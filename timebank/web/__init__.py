"""The pages: server-rendered HTML for members, at ``/``, calling the same use cases as the API.

Pages work without JavaScript (it only adds the GOV.UK Frontend's niceties), on a 320 px phone and
at 400% zoom, and pass axe-core's WCAG 2.2 AA checks in every state (DESIGN §8). A page is a thin
route: it reads its form, builds the use case's typed request, and renders the typed view.

    pages        putting the pages on an app: routes, static files, refusal pages
    sessions     the session cookie that carries the API's own token
    csrf         the checks every form post passes
    visits       who is asking, and a page's refusals
    forms        reading fields, and the error summary
    templating   Jinja2 with the GOV.UK Frontend macros; hours and dates in words
    routes/      one module per job (login, home, exchanges, ...)
    templates/   the pages' HTML;  static/  govuk-frontend's built styles and scripts (web-src/)
"""

from timebank.web.pages import install_pages

__all__ = ["install_pages"]
