package dev.convene.sfu.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;

/**
 * The few Linux socket calls the media port makes, as FFM downcalls. Constants and struct
 * layouts are Linux's on LP64 (x86-64 and aarch64 share them); epoll being available is what
 * selects this code, so it never runs elsewhere. {@code recvmmsg}/{@code sendmmsg} are linked
 * "critical": they never block (the socket is non-blocking, {@code MSG_DONTWAIT}) and never call
 * back into Java, so the thread-state transition a normal downcall pays per call is skipped.
 */
@SuppressWarnings("restricted") // the downcalls are the point; the jar asks for native access in its manifest
final class Libc {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EADDRINUSE = 98;

    /** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags; mmsghdr adds msg_len. */
    static final long MSGHDR_NAME = 0;
    static final long MSGHDR_NAMELEN = 8;
    static final long MSGHDR_IOV = 16;
    static final long MSGHDR_IOVLEN = 24;
    static final long MSGHDR_FLAGS = 48;
    static final long MMSGHDR_LEN = 56;
    static final long MMSGHDR_SIZE = 64;
    static final long IOVEC_BASE = 0;
    static final long IOVEC_LEN = 8;
    static final long IOVEC_SIZE = 16;
    /** Room for a sockaddr_in6 (28 bytes), the larger of the two families. */
    static final int SOCKADDR_SIZE = 32;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = link("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = link("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // The hot calls capture no errno: the capture segment is sliced per call, which allocates until
    // C2 has compiled the call site, and a negative result is rare enough to be retried (sends) or
    // ended on (receives) with the capturing twin.
    private static final MethodHandle RECVMMSG = LINKER.downcallHandle(LIBC.find("recvmmsg").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.critical(false));
    private static final MethodHandle SENDMMSG = LINKER.downcallHandle(LIBC.find("sendmmsg").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle RECVMMSG_ERRNO = link("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMMSG_ERRNO = link("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, java.lang.foreign.ValueLayout.JAVA_BYTE)),
                    JAVA_INT));

    private Libc() {
    }

    private static MethodHandle link(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, ERRNO_OPTION);
    }

    /** A per-thread-of-use place for errno; each socket owns one, written and read on its loop. */
    static MemorySegment errnoSlot(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    static int socket(MemorySegment errno, int family) throws IOException {
        int fd = call(() -> (int) SOCKET.invokeExact(errno, family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd < 0) {
            throw failure("socket", errno(errno));
        }
        return fd;
    }

    static void setsockopt(MemorySegment errno, int fd, int level, int option, int value, Arena arena)
            throws IOException {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        if (call(() -> (int) SETSOCKOPT.invokeExact(errno, fd, level, option, v, 4)) < 0) {
            throw failure("setsockopt " + option, errno(errno));
        }
    }

    static void bind(MemorySegment errno, int fd, MemorySegment sockaddr, int len, String what) throws IOException {
        if (call(() -> (int) BIND.invokeExact(errno, fd, sockaddr, len)) < 0) {
            int e = errno(errno);
            if (e == EADDRINUSE) {
                throw new BindException("Address already in use: " + what);
            }
            throw failure("bind " + what, e);
        }
    }

    static void getsockname(MemorySegment errno, int fd, MemorySegment sockaddr, Arena arena) throws IOException {
        MemorySegment len = arena.allocate(JAVA_INT);
        len.set(JAVA_INT, 0, SOCKADDR_SIZE);
        if (call(() -> (int) GETSOCKNAME.invokeExact(errno, fd, sockaddr, len)) < 0) {
            throw failure("getsockname", errno(errno));
        }
    }

    static void close(MemorySegment errno, int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code recvmmsg(fd, vec, n, MSG_DONTWAIT, NULL)}: datagrams read, or -1 (errno not kept). */
    static int recvmmsg(int fd, MemorySegment vec, int n) {
        try {
            return (int) RECVMMSG.invokeExact(fd, vec, n, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** As {@link #recvmmsg(int, MemorySegment, int)}, keeping errno in {@code errno} on failure. */
    static int recvmmsg(MemorySegment errno, int fd, MemorySegment vec, int n) {
        try {
            return (int) RECVMMSG_ERRNO.invokeExact(errno, fd, vec, n, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code sendmmsg(fd, vec, n, MSG_DONTWAIT)}: datagrams sent, or -1 (errno not kept). */
    static int sendmmsg(int fd, MemorySegment vec, int n) {
        try {
            return (int) SENDMMSG.invokeExact(fd, vec, n, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** As {@link #sendmmsg(int, MemorySegment, int)}, keeping errno in {@code errno} on failure. */
    static int sendmmsg(MemorySegment errno, int fd, MemorySegment vec, int n) {
        try {
            return (int) SENDMMSG_ERRNO.invokeExact(errno, fd, vec, n, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static IOException failure(String call, int errno) {
        return new IOException(call + ": " + strerror(errno) + " (errno " + errno + ")");
    }

    private interface IntCall {
        int run() throws Throwable;
    }

    private static int call(IntCall call) throws IOException {
        try {
            return call.run();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
