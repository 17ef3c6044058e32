"""genmedia: the open core of an AI media-generation service."""
