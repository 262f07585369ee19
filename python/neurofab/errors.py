"""neurofab's exceptions. Each carries the `neurofab` command's one-line
message for the same defect (the C++ core's nf::InputError and friends, in
common/error.hpp, are raised as these)."""

__all__ = ["NeurofabError", "InputError", "IoError", "VerificationError", "TargetMissedError", "ToolError"]


class NeurofabError(Exception):
    """Base class of every error neurofab raises."""


class InputError(NeurofabError, ValueError):
    """Bad input: a malformed or inconsistent file or folder, an impossible
    option, an array of the wrong shape, dtype or with NaN (the CLI's exit 1)."""


class IoError(NeurofabError, OSError):
    """The operating system refused a read, write or rename."""


class VerificationError(NeurofabError):
    """A design under test differs from its reference: the RTL from the
    integer golden model (the CLI's exit 3). `result` holds the full result
    when there is one."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


class TargetMissedError(NeurofabError):
    """A result misses the target required of it, e.g. min_success (the CLI's
    exit 4); what was produced is still written."""


class ToolError(NeurofabError):
    """An external tool (Yosys, nextpnr, icepack) failed, or the design missed
    timing at the board clock; the message carries the end of its log."""
