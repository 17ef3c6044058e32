"""The built-in provider that draws real pictures with Pillow, with no network at all."""

from genmedia.adapters.providers.local.provider import LocalProvider

__all__ = ["LocalProvider"]
