"""Whether a failed prediction's error is a safety block, and at which stage (a heuristic).

Replicate has no moderation status: a model that refuses fails with an error of its own
wording. The safety checker of the FLUX and Stable Diffusion models drops every unsafe
output and then raises "NSFW content detected. Try running it again, or try a different
prompt."; other models flag the prompt or an input image ("prompt flagged as sensitive").
An error that mentions both the input and the output, or neither, names no stage.
"""

from __future__ import annotations

import re

from genmedia.domain.moderation import ModerationStage

_BLOCKED = re.compile(
    r"nsfw|not safe for work|safety (checker|filter|system)|content (policy|moderation)"
    r"|moderat|flagged|sensitive content|unsafe content|inappropriate",
    re.IGNORECASE,
)
_BOTH = re.compile(r"\binput or output\b|\boutput or input\b", re.IGNORECASE)
_OUTPUT = re.compile(r"nsfw content detected|\bgenerated\b|\boutputs?\b", re.IGNORECASE)
_INPUT = re.compile(r"\bprompt\b|\binputs?\b", re.IGNORECASE)

OUTPUT_BLOCKED = "the generated output was blocked by the model's safety checker"
INPUT_BLOCKED = "the prompt or input image was blocked by the model's safety checker"
STAGE_UNKNOWN = "the model's safety checker blocked the prediction (input or output: not said)"


def moderation_of(error: str) -> str | None:
    """What was blocked, in words that name the stage, or None if the error is no block."""
    if not _BLOCKED.search(error):
        return None
    return _WORDS[stage_of(error)]


def stage_of(error: str) -> ModerationStage | None:
    """The stage a safety block names (None: both, or neither)."""
    if _BOTH.search(error):
        return None
    if _OUTPUT.search(error):
        return ModerationStage.OUTPUT
    if _INPUT.search(error):
        return ModerationStage.INPUT
    return None


_WORDS = {
    ModerationStage.OUTPUT: OUTPUT_BLOCKED,
    ModerationStage.INPUT: INPUT_BLOCKED,
    None: STAGE_UNKNOWN,
}
