"""The worker runtime's threading machinery: group commit, the completer, claims at fetch."""
