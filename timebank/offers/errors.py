"""The refusals of offers and requests: posts, categories and search.

Leaves of the one error tree (``timebank.errors``; a category or post that is not there is
``category_not_found`` or ``post_not_found``, beside the other not-founds). In the order the checks
run: the request on its own (a kind that is not offer or request, an expiry day out of range, empty
text, search words too many or too long), then the state it meets (a category's name taken, a
retired category, a hidden post, a post already hidden or not hidden, an expired post reopened),
then the link an exchange makes to a post (the post's member must take part).
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, StateConflict

__all__ = [
    "CategoriesTooMany",
    "CategoryNameTaken",
    "CategoryRetired",
    "PostAlreadyHidden",
    "PostExpired",
    "PostExpiryOutOfRange",
    "PostHidden",
    "PostKindUnknown",
    "PostMemberNotInExchange",
    "PostNotHidden",
    "PostTextRequired",
    "SearchTextTooLong",
    "SearchWordsTooMany",
]


class PostKindUnknown(InvalidRequest):
    code = "post_kind_unknown"
    title = "A post is an offer or a request"


class PostExpiryOutOfRange(InvalidRequest):
    code = "post_expiry_out_of_range"
    title = "An offer or request expires after today and within a year"


class PostTextRequired(InvalidRequest):
    code = "post_text_required"
    title = "An offer or request needs a title and a description, and a category a name"


class SearchTextTooLong(InvalidRequest):
    code = "search_text_too_long"
    title = "The search is too long"


class SearchWordsTooMany(InvalidRequest):
    code = "search_words_too_many"
    title = "The search has too many words"


class PostMemberNotInExchange(InvalidRequest):
    """An exchange recorded from an offer or request is one its member gave or received help in."""

    code = "post_member_not_in_exchange"
    title = "The member who posted the offer or request must be the giver or a receiver"


class CategoryNameTaken(StateConflict):
    code = "category_name_taken"
    title = "This timebank already has a category of that name"


class CategoriesTooMany(StateConflict):
    code = "categories_too_many"
    title = "This timebank has as many categories as it may have; retire or rename one"


class CategoryRetired(StateConflict):
    code = "category_retired"
    title = "This category has been retired; choose another"


class PostHidden(StateConflict):
    code = "post_hidden"
    title = "A coordinator has hidden this offer or request; ask them about it"


class PostAlreadyHidden(StateConflict):
    code = "post_already_hidden"
    title = "This offer or request is hidden already"


class PostNotHidden(StateConflict):
    code = "post_not_hidden"
    title = "This offer or request is not hidden"


class PostExpired(StateConflict):
    code = "post_expired"
    title = "This offer or request has expired; give it a new expiry date first"
