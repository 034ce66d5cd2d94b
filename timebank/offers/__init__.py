"""Offers and requests (DESIGN §10): who can help with what, found in seconds.

A member says what they can do for others (an **offer**) and what they need (a **request**), each in
one of the timebank's **categories**; coordinators post for members who are not online, manage the
categories, and hide posts that break the timebank's rules. Anyone in the timebank searches the
open posts by words, category and kind, on the database's own full-text search; results name the
member and when they last took part, never how to reach them. An exchange may be recorded from a
post, and keeps the link (``timebank.exchanges``); coordinators see hours by category, members with
no offer, and requests waiting long.

    requests     what these use cases are asked (the API's request bodies)
    views        what they return (the API's response bodies)
    errors       the rules they refuse by
    words        folding text for search, and the searcher's words (pure)
    categories   the default list; adding, renaming and retiring categories; how full each is
    posts        posting, changing, closing, reopening, hiding and showing offers and requests
    search       finding open posts by words, category and kind
    report       hours by category, members with no offer, requests waiting long
"""

from timebank.offers.categories import (
    DEFAULT_CATEGORIES,
    add_category,
    change_category,
    list_categories,
    list_category_uses,
)
from timebank.offers.posts import (
    change_post,
    close_post,
    create_post,
    hide_post,
    list_member_posts,
    read_post,
    reopen_post,
    show_post,
)
from timebank.offers.report import offers_report
from timebank.offers.requests import AddCategory, ChangeCategory, ChangePost, CreatePost, HidePost, PostKind
from timebank.offers.search import search_posts
from timebank.offers.views import (
    CategoryList,
    CategoryUseList,
    CategoryUseView,
    CategoryView,
    FoundPostView,
    OffersReportView,
    PostPage,
    PostView,
    SearchPage,
)

__all__ = [
    "DEFAULT_CATEGORIES",
    "AddCategory",
    "CategoryList",
    "CategoryUseList",
    "CategoryUseView",
    "CategoryView",
    "ChangeCategory",
    "ChangePost",
    "CreatePost",
    "FoundPostView",
    "HidePost",
    "OffersReportView",
    "PostKind",
    "PostPage",
    "PostView",
    "SearchPage",
    "add_category",
    "change_category",
    "change_post",
    "close_post",
    "create_post",
    "hide_post",
    "list_categories",
    "list_category_uses",
    "list_member_posts",
    "offers_report",
    "read_post",
    "reopen_post",
    "search_posts",
    "show_post",
]
