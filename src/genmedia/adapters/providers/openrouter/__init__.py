"""OpenRouter's image models over chat completions: one synchronous call, images inline."""

from genmedia.adapters.providers.openrouter.provider import OpenRouterProvider

__all__ = ["OpenRouterProvider"]
