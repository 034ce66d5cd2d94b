"""How a message leaves: by SMTP, or into a folder when there is no mail server.

A ``Transport`` sends one ``email.message.EmailMessage`` or raises; the worker decides what a
failure means (``timebank.notifications.delivery``), and closes the transport at the end of each
pass.

- ``SmtpTransport`` (``TIMEBANK_SMTP_URL=smtp://user:password@host:587``): ``smtplib`` with a
  timeout, one connection for a whole pass (opened at the first message, closed by ``close``, and
  dropped after any failure so that the next message starts on a clean one), STARTTLS whenever
  the server offers it (``?starttls=require`` refuses a server that does not, so a password never
  crosses the network in clear), and a login when the URL names a user.
  ``smtps://`` speaks TLS from the first byte (port 465).
- ``FolderTransport``, the default when ``TIMEBANK_SMTP_URL`` is unset: each message is written as
  an ``.eml`` file (named by its Message-ID, so writing it again replaces it) into
  ``TIMEBANK_MAIL_FOLDER``, ``./mail-outbox`` unless told otherwise. The service then runs with no
  mail server at all, and the messages can be read, or handed to a mail server later.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from timebank.settings import get_settings

__all__ = ["FolderTransport", "SmtpTransport", "Transport", "transport_from_settings"]


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message on, or raise: an ``smtplib.SMTPException`` or an ``OSError``."""

    def close(self) -> None:
        """Let go of whatever the messages of one pass shared (a connection); never raises."""


class SmtpTransport:
    """SMTP, one connection per pass of the worker: a new connection, STARTTLS and login cost
    several round trips, which one message per connection paid every time (bench/delivery_bench.py)."""

    def __init__(self, url: str, *, timeout_seconds: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("TIMEBANK_SMTP_URL is smtp://[user:password@]host[:port] (or smtps://)")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        if starttls not in ("auto", "require"):
            raise ValueError("starttls in TIMEBANK_SMTP_URL is auto or require")
        self.starttls_required = starttls == "require"
        self.timeout_seconds = timeout_seconds
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_seconds, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
        try:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif self.starttls_required:
                raise smtplib.SMTPNotSupportedError("The mail server does not offer STARTTLS")
            return client
        except BaseException:
            client.close()
            raise

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            client = self._connect()
            try:
                if self.username is not None:
                    client.login(self.username, self.password or "")
            except BaseException:
                _quit(client)
                raise
            self._client = client
        try:
            self._client.send_message(message)
        except BaseException:
            # A refusal may leave the conversation anywhere: the next message gets a new connection.
            self.close()
            raise

    def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            _quit(client)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9.@_-]")


class FolderTransport:
    """Every message an ``.eml`` file in a folder, written whole or not at all."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def close(self) -> None:
        """Nothing is held between messages."""

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE.sub("_", str(message["Message-ID"]).strip("<>")) + ".eml"
        # Written beside the target and renamed, so a reader never sees half a message.
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sending-", suffix=".eml")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def transport_from_settings() -> Transport:
    settings = get_settings()
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, timeout_seconds=settings.smtp_timeout_seconds)
    return FolderTransport(settings.mail_folder)
