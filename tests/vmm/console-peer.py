#!/usr/bin/env python3
# The other end of a boardvm console backend, for tests/vmm/consoles.sh.
#
#   console-peer.py pty-echo PTY LINE      talk to serial-echo through a pty
#   console-peer.py unix-echo SOCKET LINE  the same through a unix socket
#   console-peer.py term-restore SIG CMD...  run CMD on a pty whose mode is
#       cooked; once CMD has put it in raw mode, send it SIG (a name, or
#       'none' to let it end), and print the pty's mode after CMD is gone
#       as 'restored' or 'left raw'
#
# Each prints what it read from the guest; a timeout exits 2.
import os, signal, socket, subprocess, sys, termios, time, tty

TIMEOUT = 60


def talk(read, write, line):
    """Wait for the guest's prompt, send LINE and then "bye" once LINE
    came back; return everything read until the guest's "bye" echo."""
    got, step = b"", 0
    deadline = time.time() + TIMEOUT
    echo = b"com2 got: " + line.encode() + b"\n"
    while time.time() < deadline and b"com2 got: bye\n" not in got:
        chunk = read()
        if chunk is None:
            time.sleep(0.01)
            continue
        if chunk == b"":
            break
        got += chunk
        if step == 0 and b"com2: ready\n" in got:
            write(line.encode() + b"\n")
            step = 1
        if step == 1 and echo in got:
            write(b"bye\n")
            step = 2
    return got


def pty_echo(path, line):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)

    def read():
        try:
            return os.read(fd, 4096)
        except BlockingIOError:
            return None
        except OSError:         # EIO: boardvm closed the master
            return b""
    sys.stdout.write(talk(read, lambda b: os.write(fd, b), line).decode())


def unix_echo(path, line):
    deadline = time.time() + TIMEOUT
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.time() > deadline:
                sys.exit(2)
            time.sleep(0.05)
    s.setblocking(False)

    def read():
        try:
            return s.recv(4096)
        except BlockingIOError:
            return None
        except OSError:
            return b""
    sys.stdout.write(talk(read, s.sendall, line).decode())


def term_restore(sig, cmd):
    master, slave = os.openpty()
    cooked = termios.tcgetattr(slave)
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    deadline = time.time() + TIMEOUT
    # tcgetattr on the master reads the slave's mode (Linux ptys).
    while termios.tcgetattr(master)[3] & termios.ECHO:
        if time.time() > deadline or proc.poll() is not None:
            print("never went raw")
            sys.exit(2)
        time.sleep(0.02)
    if sig != "none":
        proc.send_signal(getattr(signal, sig))
    proc.wait(TIMEOUT)
    now = termios.tcgetattr(master)
    print("restored" if now[:4] == cooked[:4] else "left raw",
          "status", proc.returncode)


def main():
    what = sys.argv[1]
    if what == "pty-echo":
        pty_echo(sys.argv[2], sys.argv[3])
    elif what == "unix-echo":
        unix_echo(sys.argv[2], sys.argv[3])
    elif what == "term-restore":
        term_restore(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("unknown command " + what)


main()
