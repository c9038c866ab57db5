"""The channels app's admin pages; each channel package registers its own."""

from .email import admin as email_admin  # noqa: F401
