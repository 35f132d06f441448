"""The query workers' network sandbox: a seccomp filter that denies new sockets.

A query worker evaluates queries from anyone. Whatever a query makes the
engine do, the worker process cannot reach the network, because the kernel
refuses it: :func:`deny_network` installs a seccomp-BPF filter (Linux,
x86-64 and AArch64) under which

* ``socket()`` fails with ``EACCES`` for every address family (a worker talks to
  the server over the pipe it inherited, and opens no socket of its own), so no
  TCP or UDP connection, DNS lookup or raw socket can be made;
* ``io_uring_setup()`` fails with ``ENOSYS`` (io_uring can create sockets
  without the ``socket`` system call);
* system calls of any other architecture's ABI (x32, i386) fail with ``EPERM``.

The filter is installed with ``SECCOMP_FILTER_FLAG_TSYNC`` (every thread of the
process at once) after ``PR_SET_NO_NEW_PRIVS``, and can never be removed. It is
written here in a few instructions of classic BPF, rather than through
libseccomp, to keep the sandbox free of a native dependency.

Where the kernel cannot install it (another OS, another architecture, seccomp
disabled or denied by a container), :func:`deny_network` raises
:class:`SandboxUnavailableError` with the reason; the server then refuses to
start unless told to accept the risk (``--allow-unsandboxed-workers``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
from dataclasses import dataclass

from .errors import AllianceLDError

# Linux ABI constants (linux/seccomp.h, linux/filter.h, linux/audit.h, asm/unistd.h).
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
BPF_RET_K = 0x06  # BPF_RET | BPF_K
#: Offsets in struct seccomp_data.
NR_OFFSET = 0
ARCH_OFFSET = 4
X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class Arch:
    audit: int  # AUDIT_ARCH_*
    socket: int  # __NR_socket
    io_uring_setup: int
    seccomp: int  # __NR_seccomp
    x32: bool  # whether the x32 ABI shares this audit arch


ARCHES = {
    "x86_64": Arch(audit=0xC000003E, socket=41, io_uring_setup=425, seccomp=317, x32=True),
    "aarch64": Arch(audit=0xC00000B7, socket=198, io_uring_setup=425, seccomp=277, x32=False),
}


class SandboxUnavailableError(AllianceLDError):
    """The operating system cannot confine the query workers."""


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def build_filter(arch: Arch, denied: dict[int, int]) -> bytes:
    """A BPF program: each system call in ``denied`` fails with its errno, others pass.

    System calls made through another ABI than ``arch``'s fail with ``EPERM``.
    """
    foreign = SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        _instruction(BPF_LD_W_ABS, ARCH_OFFSET),
        _instruction(BPF_JEQ_K, arch.audit, jt=1, jf=0),
        _instruction(BPF_RET_K, foreign),
        _instruction(BPF_LD_W_ABS, NR_OFFSET),
    ]
    if arch.x32:
        program += [_instruction(BPF_JGE_K, X32_SYSCALL_BIT, jt=0, jf=1),
                    _instruction(BPF_RET_K, foreign)]
    for number, error in denied.items():
        program += [_instruction(BPF_JEQ_K, number, jt=0, jf=1),
                    _instruction(BPF_RET_K, SECCOMP_RET_ERRNO | error)]
    program.append(_instruction(BPF_RET_K, SECCOMP_RET_ALLOW))
    return b"".join(program)


def current_arch() -> Arch:
    if sys.platform != "linux":
        raise SandboxUnavailableError(f"seccomp needs Linux; this is {sys.platform}")
    machine = platform.machine()
    arch = ARCHES.get(machine)
    if arch is None:
        raise SandboxUnavailableError(f"no seccomp filter for the {machine} architecture")
    return arch


def install_filter(arch: Arch, denied: dict[int, int]) -> None:
    """Install a filter denying ``denied`` in this process, on every thread."""
    program = build_filter(arch, denied)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise SandboxUnavailableError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(code)}")
    buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(arch.seccomp), ctypes.c_uint(SECCOMP_SET_MODE_FILTER),
                          ctypes.c_uint(SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog))
    if result != 0:
        code = ctypes.get_errno()
        reason = os.strerror(code) if code else f"thread {result} could not be synchronised"
        raise SandboxUnavailableError(f"the kernel refused the seccomp filter: {reason}")


def deny_network() -> None:
    """Confine this process: it can never again create a socket (see the module docstring)."""
    arch = current_arch()
    install_filter(arch, {arch.socket: errno.EACCES, arch.io_uring_setup: errno.ENOSYS})


def seccomp_mode(pid: int | str = "self") -> int:
    """The seccomp mode of a process from ``/proc`` (0 none, 1 strict, 2 filter)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Seccomp:"):
                return int(line.split()[1])
    return 0
