"""The refusals each operation of the API can answer, besides those every operation may.

The contract lists, for each operation, the codes it can really return, so that a client knows
what to handle (``timebank.api.app.openapi_document`` writes them into each response, with their
status, as ``x-codes``). Every operation may also answer the edge's own refusals
(``EDGE_CODES``): an unknown token, a body that is not JSON or too large, a field that does not fit
the schema, a method the path does not take, a second ``Authorization`` header.

The list was taken from what the tests made each operation answer (the authorization matrix, the
bad-input corpus, the refusal rows, schemathesis), with ``TIMEBANK_RECORD_PROBLEMS`` set, and
completed by hand where a rule applies that no test reaches over HTTP (an exchange declined after
it expired; an exchange confirmed, or an option spent, after the timebank lowered its limit on one
transfer below its minutes, as schemathesis found; an exchange confirmed after a party's membership
ended, which ending it prevents by cancelling the exchange first). With ``TIMEBANK_STRICT_PROBLEMS``
set, as the deterministic HTTP tests set it, an operation answering a code not listed here answers
500 instead, and the test that met it fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["EDGE_CODES", "OPERATION_CODES", "codes_of"]

# Any operation may answer these: the edge's refusals and the schema's generic ones.
EDGE_CODES = frozenset(
    {
        "authorization_header_repeated",
        "content_type_unsupported",
        "field_required",
        "internal_error",
        "json_invalid",
        "method_not_allowed",
        "not_authenticated",
        "request_body_too_large",
        "request_body_unexpected",
        "request_invalid",
        "token_invalid",
        "unknown_field",
    }
)

OPERATION_CODES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "add_category": frozenset(
            {
                "categories_too_many",
                "category_name_taken",
                "coordinator_required",
                "post_text_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "add_member": frozenset(
            {
                "cap_must_not_be_negative",
                "coordinator_required",
                "floor_must_not_be_positive",
                "password_invalid",
                "role_unknown",
                "tag_invalid",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
                "username_invalid",
                "username_taken",
            }
        ),
        "add_organisation": frozenset(
            {
                "coordinator_required",
                "email_invalid",
                "floor_must_not_be_positive",
                "phone_invalid",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "add_staff": frozenset(
            {
                "coordinator_required",
                "member_not_found",
                "membership_ended",
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "cancel_exchange": frozenset(
            {
                "exchange_already_cancelled",
                "exchange_already_confirmed",
                "exchange_already_declined",
                "exchange_already_expired",
                "exchange_not_found",
                "not_a_party_to_exchange",
                "timebank_not_found",
            }
        ),
        "change_category": frozenset(
            {
                "category_name_taken",
                "category_not_found",
                "coordinator_required",
                "post_text_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "change_password": frozenset(
            {
                "credentials_invalid",
                "login_attempts_exceeded",
                "not_allowed",
                "password_invalid",
                "server_busy",
                "text_too_long",
            }
        ),
        "change_post": frozenset(
            {
                "category_not_found",
                "category_retired",
                "post_expiry_out_of_range",
                "post_hidden",
                "post_not_found",
                "post_text_required",
                "self_or_coordinator_required",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "check_import": frozenset(
            {
                "coordinator_required",
                "form_invalid",
                "import_files_required",
                "import_files_too_large",
                "import_files_too_many",
                "import_refused",
                "import_uploads_too_many",
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "check_payment": frozenset(
            {
                "account_not_found",
                "activity_not_found",
                "invitation_required",
                "member_account_required",
                "organisation_staff_required",
                "pence_above_limit",
                "pence_must_be_positive",
                "pence_must_be_whole",
                "timebank_not_found",
            }
        ),
        "close_post": frozenset(
            {
                "post_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "confirm_import_upload": frozenset(
            {
                "coordinator_required",
                "import_refused",
                "import_upload_expired",
                "import_upload_not_found",
                "timebank_not_found",
            }
        ),
        "contact_member": frozenset(
            {
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "member_has_left",
                "member_not_found",
                "message_required",
                "messages_per_day_exceeded",
                "post_hidden",
                "post_is_your_own",
                "post_not_found",
                "post_not_open",
                "reply_link_invalid",
                "self_or_coordinator_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "confirm_exchange": frozenset(
            {
                "balance_above_cap",
                "balance_below_floor",
                "consent_already_given",
                "exchange_already_cancelled",
                "exchange_already_confirmed",
                "exchange_already_declined",
                "exchange_already_expired",
                "exchange_not_found",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "membership_ended",
                "minutes_above_transfer_limit",
                "not_a_party_to_exchange",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "create_activity": frozenset(
            {
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "minutes_must_be_whole",
                "organisation_not_found",
                "organisation_staff_required",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "create_api_key": frozenset(
            {
                "not_allowed",
                "organisation_not_found",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "create_post": frozenset(
            {
                "category_not_found",
                "category_retired",
                "member_not_found",
                "membership_ended",
                "post_expiry_out_of_range",
                "post_text_required",
                "self_or_coordinator_required",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "create_spend_option": frozenset(
            {
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "minutes_must_be_whole",
                "organisation_not_found",
                "organisation_staff_required",
                "spend_class_unknown",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "create_timebank": frozenset(
            {
                "admin_required",
                "cap_must_not_be_negative",
                "email_invalid",
                "floor_must_not_be_positive",
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "phone_invalid",
                "text_has_control_characters",
                "text_too_long",
            }
        ),
        "decline_exchange": frozenset(
            {
                "consent_already_given",
                "exchange_already_cancelled",
                "exchange_already_confirmed",
                "exchange_already_declined",
                "exchange_already_expired",
                "exchange_not_found",
                "not_a_party_to_exchange",
                "timebank_not_found",
            }
        ),
        "delete_benefits_declaration": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "member_say_so_required",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "end_membership": frozenset(
            {
                "coordinator_required",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "last_coordinator_required",
                "member_not_found",
                "membership_already_ended",
                "membership_end_date_in_future",
                "membership_end_date_too_early",
                "membership_end_date_too_far_back",
                "pot_cannot_cover_balance",
                "reason_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "get_account": frozenset(
            {
                "account_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_activity": frozenset(
            {
                "activity_not_found",
                "organisation_staff_required",
                "timebank_not_found",
            }
        ),
        "get_benefit_letter": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "server_busy",
                "timebank_not_found",
            }
        ),
        "get_benefit_letter_html": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_benefit_letter_pdf": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "server_busy",
                "timebank_not_found",
            }
        ),
        "get_benefit_statement": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "server_busy",
                "timebank_not_found",
            }
        ),
        "get_benefit_statement_html": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_benefit_statement_pdf": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "period_must_end_after_start",
                "period_starts_after_today",
                "self_or_coordinator_required",
                "server_busy",
                "timebank_not_found",
            }
        ),
        "get_import_upload": frozenset(
            {
                "coordinator_required",
                "import_upload_not_found",
                "timebank_not_found",
            }
        ),
        "get_member_email": frozenset(
            {"member_not_found", "self_or_coordinator_required", "timebank_not_found"}
        ),
        "get_offers_report": frozenset(
            {
                "coordinator_required",
                "report_window_empty",
                "report_window_too_long",
                "timebank_not_found",
            }
        ),
        "get_post": frozenset(
            {
                "post_not_found",
                "timebank_not_found",
            }
        ),
        "hide_post": frozenset(
            {
                "coordinator_required",
                "post_already_hidden",
                "post_not_found",
                "post_text_required",
                "reason_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_categories": frozenset(
            {
                "timebank_not_found",
            }
        ),
        "list_imports": frozenset(
            {
                "coordinator_required",
                "timebank_not_found",
            }
        ),
        "list_member_posts": frozenset(
            {
                "cursor_invalid",
                "member_not_found",
                "self_or_coordinator_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "reopen_post": frozenset(
            {
                "post_expired",
                "post_hidden",
                "post_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "search_posts": frozenset(
            {
                "category_not_found",
                "cursor_invalid",
                "search_text_too_long",
                "search_words_too_many",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "set_member_email": frozenset(
            {
                "email_invalid",
                "member_not_found",
                "self_or_coordinator_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "issue_password_code": frozenset(
            {
                "coordinator_required",
                "member_already_erased",
                "member_not_found",
                "timebank_not_found",
                "verified_email_required",
            }
        ),
        "show_post": frozenset(
            {
                "coordinator_required",
                "post_not_found",
                "post_not_hidden",
                "timebank_not_found",
            }
        ),
        "use_password_code": frozenset(
            {
                "login_attempts_exceeded",
                "password_code_expired",
                "password_code_unknown",
                "password_code_used",
                "password_invalid",
                "server_busy",
                "text_has_control_characters",
                "text_too_long",
                "username_invalid",
                "username_required",
                "username_taken",
            }
        ),
        "ask_for_password_reset": frozenset(
            {"reset_requests_exceeded", "text_has_control_characters", "text_too_long"}
        ),
        "reset_password": frozenset(
            {
                "password_invalid",
                "reset_link_expired",
                "reset_link_unknown",
                "reset_link_used",
                "server_busy",
                "text_has_control_characters",
                "text_too_long",
            }
        ),
        "turn_login_off": frozenset(
            {
                "coordinator_required",
                "member_has_no_login",
                "member_not_found",
                "own_login_stays_on",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "turn_login_on": frozenset(
            {
                "coordinator_required",
                "member_has_no_login",
                "member_not_found",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "verify_email": frozenset(
            {
                "text_has_control_characters",
                "text_too_long",
                "verification_token_expired",
                "verification_token_unknown",
                "verification_token_used",
            }
        ),
        "get_notification_preferences": frozenset(
            {"member_not_found", "self_or_coordinator_required", "timebank_not_found"}
        ),
        "set_notification_preferences": frozenset(
            {
                "notification_kind_required",
                "member_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "unsubscribe": frozenset(
            {"text_has_control_characters", "text_too_long", "unsubscribe_token_invalid"}
        ),
        "get_benefits_declaration": frozenset(
            {
                "account_not_found",
                "member_account_required",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_exchange": frozenset(
            {
                "exchange_not_found",
                "not_a_party_to_exchange",
                "timebank_not_found",
            }
        ),
        "export_timebank": frozenset({"coordinator_required", "timebank_not_found"}),
        "download_member_data": frozenset(
            {"member_not_found", "self_or_coordinator_required", "timebank_not_found"}
        ),
        "erase_member": frozenset(
            {
                "coordinator_required",
                "erasure_not_confirmed",
                "member_already_erased",
                "member_not_found",
                "own_data_erased_by_another",
                "timebank_not_found",
            }
        ),
        "get_member": frozenset(
            {
                "member_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_member_report": frozenset(
            {
                "account_not_found",
                "report_window_empty",
                "report_window_too_long",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_organisation": frozenset(
            {
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "get_payment_advice": frozenset(
            {
                "account_not_found",
                "cursor_invalid",
                "member_account_required",
                "self_or_coordinator_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "get_reciprocity_chart_png": frozenset(
            {
                "coordinator_required",
                "not_enough_data",
                "organisation_not_found",
                "report_group_ambiguous",
                "report_window_empty",
                "report_window_too_long",
                "server_busy",
                "tag_invalid",
                "timebank_not_found",
            }
        ),
        "get_reciprocity_chart_svg": frozenset(
            {
                "coordinator_required",
                "not_enough_data",
                "organisation_not_found",
                "report_group_ambiguous",
                "report_window_empty",
                "report_window_out_of_range",
                "report_window_too_long",
                "tag_invalid",
                "timebank_not_found",
            }
        ),
        "get_reciprocity_report": frozenset(
            {
                "coordinator_required",
                "organisation_not_found",
                "report_group_ambiguous",
                "report_window_empty",
                "report_window_out_of_range",
                "report_window_too_long",
                "tag_invalid",
                "timebank_not_found",
            }
        ),
        "get_reciprocity_report_csv": frozenset(
            {
                "coordinator_required",
                "organisation_not_found",
                "report_group_ambiguous",
                "report_window_empty",
                "report_window_out_of_range",
                "report_window_too_long",
                "tag_invalid",
                "timebank_not_found",
            }
        ),
        "get_report_ratings": frozenset(
            {
                "coordinator_required",
                "timebank_not_found",
            }
        ),
        "get_statement": frozenset(
            {
                "account_not_found",
                "cursor_invalid",
                "self_or_coordinator_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "get_timebank": frozenset(
            {
                "timebank_not_found",
            }
        ),
        "give_credits": frozenset(
            {
                "account_holder_required",
                "account_not_found",
                "accounts_must_differ",
                "balance_above_cap",
                "balance_below_floor",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "membership_ended",
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "minutes_must_be_whole",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "health": frozenset(),
        "invite_members": frozenset(
            {
                "account_not_found",
                "activity_not_found",
                "attendees_required",
                "member_account_required",
                "membership_ended",
                "organisation_staff_required",
                "timebank_not_found",
                "too_many_invitations",
            }
        ),
        "list_activities": frozenset(
            {
                "cursor_invalid",
                "organisation_not_found",
                "organisation_staff_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_api_keys": frozenset(
            {
                "not_allowed",
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "list_attendance": frozenset(
            {
                "activity_not_found",
                "organisation_staff_required",
                "timebank_not_found",
            }
        ),
        "list_directory": frozenset(
            {
                "cursor_invalid",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_exchanges": frozenset(
            {
                "account_not_found",
                "cursor_invalid",
                "self_or_coordinator_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_invitations": frozenset(
            {
                "activity_not_found",
                "organisation_staff_required",
                "timebank_not_found",
            }
        ),
        "list_limit_changes": frozenset(
            {
                "account_not_found",
                "self_or_coordinator_required",
                "timebank_not_found",
            }
        ),
        "list_members": frozenset(
            {
                "coordinator_required",
                "cursor_invalid",
                "tag_invalid",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_organisations": frozenset(
            {
                "cursor_invalid",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_spend_options": frozenset(
            {
                "coordinator_required",
                "cursor_invalid",
                "organisation_not_found",
                "organisation_staff_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "list_timebanks": frozenset(),
        "log_in": frozenset(
            {
                "credentials_invalid",
                "login_disabled",
                "form_invalid",
                "login_attempts_exceeded",
                "password_invalid",
                "server_busy",
                "text_has_control_characters",
                "username_invalid",
            }
        ),
        "log_out": frozenset(
            {
                "not_allowed",
            }
        ),
        "read_audit_log": frozenset(
            {
                "account_not_found",
                "coordinator_required",
                "cursor_invalid",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "record_attendance": frozenset(
            {
                "account_not_found",
                "accounts_must_differ",
                "activity_not_found",
                "activity_not_yet_held",
                "attendance_above_activity_length",
                "attendance_already_recorded",
                "attendee_repeated",
                "attendees_required",
                "balance_below_floor",
                "charity_name_missing",
                "choice_detail_not_wanted",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "invitation_required",
                "member_account_required",
                "membership_ended",
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "minutes_must_be_whole",
                "month_must_be_one_month",
                "organisation_staff_required",
                "payment_acknowledgement_required",
                "payment_not_offered",
                "pence_above_limit",
                "pence_must_be_positive",
                "pence_must_be_whole",
                "period_must_end_after_start",
                "reduced_payment_missing",
                "reduced_payment_not_below_offer",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
                "too_many_attendees",
                "week_must_be_seven_days",
            }
        ),
        "record_exchange": frozenset(
            {
                "account_not_found",
                "accounts_must_differ",
                "activity_date_in_future",
                "activity_date_too_far_back",
                "balance_above_cap",
                "balance_below_floor",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "membership_ended",
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "minutes_must_be_whole",
                "not_a_party_to_exchange",
                "post_hidden",
                "post_is_your_own",
                "post_member_not_in_exchange",
                "post_not_found",
                "post_not_open",
                "pot_cannot_exchange",
                "receiver_repeated",
                "receivers_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
                "too_many_receivers",
            }
        ),
        "record_expense": frozenset(
            {
                "account_not_found",
                "activity_not_found",
                "expense_above_evidence",
                "expense_evidence_missing",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "member_account_required",
                "mileage_rate_above_limit",
                "mileage_rate_must_be_positive",
                "mileage_rate_must_be_whole",
                "miles_above_limit",
                "miles_must_be_positive",
                "miles_must_be_whole",
                "organisation_not_found",
                "organisation_staff_required",
                "pence_above_limit",
                "pence_must_be_positive",
                "pence_must_be_whole",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "remove_staff": frozenset(
            {
                "coordinator_required",
                "member_not_found",
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "reverse_exchange": frozenset(
            {
                "balance_above_cap",
                "balance_below_floor",
                "coordinator_required",
                "exchange_not_confirmed",
                "exchange_not_found",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "membership_ended",
                "reason_required",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
                "transaction_already_reversed",
            }
        ),
        "revoke_api_key": frozenset(
            {
                "api_key_not_found",
                "not_allowed",
                "organisation_not_found",
                "timebank_not_found",
            }
        ),
        "set_benefits_declaration": frozenset(
            {
                "account_not_found",
                "benefit_categories_required",
                "benefit_category_unknown",
                "member_account_required",
                "member_say_so_required",
                "self_or_coordinator_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "set_limits": frozenset(
            {
                "account_not_found",
                "cap_must_not_be_negative",
                "coordinator_required",
                "floor_must_not_be_positive",
                "limit_excludes_balance",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "set_report_ratings": frozenset(
            {
                "coordinator_required",
                "rating_threshold_out_of_range",
                "rating_thresholds_out_of_order",
                "timebank_not_found",
            }
        ),
        "spend_credits": frozenset(
            {
                "account_holder_required",
                "account_not_found",
                "balance_above_cap",
                "balance_below_floor",
                "idempotency_key_in_flight",
                "idempotency_key_required",
                "idempotency_key_reused",
                "member_account_required",
                "membership_ended",
                "minutes_above_transfer_limit",
                "spend_acknowledgement_required",
                "spend_option_not_found",
                "spend_option_withdrawn",
                "text_has_control_characters",
                "text_required",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "update_member": frozenset(
            {
                "coordinator_required",
                "last_coordinator_required",
                "member_not_found",
                "membership_ended",
                "role_unknown",
                "tag_invalid",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "update_organisation": frozenset(
            {
                "coordinator_required",
                "email_invalid",
                "organisation_not_found",
                "phone_invalid",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "update_timebank": frozenset(
            {
                "cap_must_not_be_negative",
                "coordinator_required",
                "email_invalid",
                "floor_must_not_be_positive",
                "minutes_above_transfer_limit",
                "minutes_must_be_positive",
                "phone_invalid",
                "text_has_control_characters",
                "text_too_long",
                "timebank_not_found",
            }
        ),
        "who_am_i": frozenset(),
        "withdraw_invitation": frozenset(
            {
                "account_not_found",
                "activity_not_found",
                "organisation_staff_required",
                "timebank_not_found",
            }
        ),
        "withdraw_spend_option": frozenset(
            {
                "organisation_staff_required",
                "spend_option_not_found",
                "timebank_not_found",
            }
        ),
    }
)


def codes_of(operation_id: str) -> frozenset[str]:
    """Every code ``operation_id`` may answer: its own and the edge's."""
    return OPERATION_CODES.get(operation_id, frozenset()) | EDGE_CODES
