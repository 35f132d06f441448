"""Run a command on a system where seccomp filters cannot be installed.

``python tests/seccomp_denied.py COMMAND…`` installs a filter under which the
``seccomp`` system call fails with ``EPERM`` (as in a container whose own
profile denies it), then runs COMMAND, which inherits the filter. The server
started so must refuse to start, or say loudly that its workers are not
confined.
"""

from __future__ import annotations

import errno
import os
import sys

from alliance_ld.sandbox import current_arch, install_filter

if __name__ == "__main__":
    arch = current_arch()
    install_filter(arch, {arch.seccomp: errno.EPERM})
    os.execvp(sys.argv[1], sys.argv[1:])
