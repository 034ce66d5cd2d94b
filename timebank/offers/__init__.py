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
    answering    a post's page, and the rule an answer to a post meets (someone else's, open, visible)
    contact      writing to a post's member through the timebank, and their answer
    search       finding open posts by words, category and kind
    report       hours by category, members with no offer, requests waiting long
"""

from timebank.offers.answering import read_post_page, read_post_to_answer
from timebank.offers.categories import (
    DEFAULT_CATEGORIES,
    add_category,
    change_category,
    list_categories,
    list_category_uses,
)
from timebank.offers.contact import MESSAGES_PER_DAY_MAX, contact_member, read_message_target
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
from timebank.offers.requests import (
    AddCategory,
    ChangeCategory,
    ChangePost,
    ContactMember,
    CreatePost,
    HidePost,
    PostKind,
)
from timebank.offers.search import search_posts
from timebank.offers.views import (
    CategoryList,
    CategoryUseList,
    CategoryUseView,
    CategoryView,
    FoundPostView,
    MessageSentView,
    MessageTargetView,
    OffersReportView,
    PostDetailView,
    PostPage,
    PostToAnswerView,
    PostView,
    SearchPage,
)

__all__ = [
    "DEFAULT_CATEGORIES",
    "MESSAGES_PER_DAY_MAX",
    "AddCategory",
    "CategoryList",
    "CategoryUseList",
    "CategoryUseView",
    "CategoryView",
    "ChangeCategory",
    "ChangePost",
    "ContactMember",
    "CreatePost",
    "FoundPostView",
    "HidePost",
    "MessageSentView",
    "MessageTargetView",
    "OffersReportView",
    "PostDetailView",
    "PostKind",
    "PostPage",
    "PostToAnswerView",
    "PostView",
    "SearchPage",
    "add_category",
    "change_category",
    "change_post",
    "close_post",
    "contact_member",
    "create_post",
    "hide_post",
    "list_categories",
    "list_category_uses",
    "list_member_posts",
    "offers_report",
    "read_message_target",
    "read_post",
    "read_post_page",
    "read_post_to_answer",
    "reopen_post",
    "search_posts",
    "show_post",
]
