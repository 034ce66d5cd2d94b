"""The refusals of offers and requests: posts, categories and search.

Leaves of the one error tree (``timebank.errors``; a category or post that is not there is
``category_not_found`` or ``post_not_found``, beside the other not-founds). In the order the checks
run: the request on its own (a kind that is not offer or request, an expiry day out of range, empty
text, search words too many or too long), then the state it meets (a category's name taken, a
retired category, a hidden post, a post already hidden or not hidden, an expired post reopened),
then the link an exchange makes to a post (the post's member must take part). Answering someone
else's post (recording an exchange from it, or writing to its member) needs a post that is open,
unexpired, visible and not the caller's own, a member who has not left, a message of bounded length,
and no more than the day's number of messages.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotAllowed, StateConflict, TooManyAttempts

__all__ = [
    "CategoriesTooMany",
    "CategoryNameTaken",
    "CategoryRetired",
    "MemberHasLeft",
    "MessageRequired",
    "MessagesPerDayExceeded",
    "PostAlreadyHidden",
    "PostExpired",
    "PostExpiryOutOfRange",
    "PostHidden",
    "PostIsYourOwn",
    "PostKindUnknown",
    "PostMemberNotInExchange",
    "PostNotHidden",
    "PostNotOpen",
    "PostTextRequired",
    "ReplyLinkInvalid",
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


class MessageRequired(InvalidRequest):
    code = "message_required"
    title = "A message to a member needs some words"


class PostIsYourOwn(InvalidRequest):
    """Recording from a post, or writing about it, is for members other than the one who posted it."""

    code = "post_is_your_own"
    title = "This is your own offer or request; this is for other members"


class ReplyLinkInvalid(NotAllowed):
    """An answer goes only to a member who wrote to you about your post, by the link in their message."""

    code = "reply_link_invalid"
    title = "This answer link is not one we sent you"


class PostNotOpen(StateConflict):
    code = "post_not_open"
    title = "This offer or request is closed or has ended"


class MemberHasLeft(StateConflict):
    code = "member_has_left"
    title = "This member has left the timebank"


class MessagesPerDayExceeded(TooManyAttempts):
    code = "messages_per_day_exceeded"
    title = "You have sent as many messages as you may today; try again tomorrow"
