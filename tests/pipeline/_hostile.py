"""Hostile text for every free-text parameter: quotes, newlines and a shell call."""

from __future__ import annotations

HOSTILE = "x'\"\n__import__('os').system('touch PWNED') #\\ ''' \"\"\" {SEED}"
# The same on one line: names (pipeline names, run names) refuse line breaks.
HOSTILE_LINE = HOSTILE.replace("\n", " ")
