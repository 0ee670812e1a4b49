# A hostile tcp-hello client: tries every attack of netlab issue 13 that concerns the client's
# own process, prints one line `RESULT {json}` on stderr (name -> "allowed" | "blocked"), and
# then does the honest job through its own lab port. Every attack is bounded.
import json, os, socket, subprocess, sys, tempfile

cfg = json.load(open("targets.json"))
res = {}


def attempt(name, fn):
    try:
        fn()
        res[name] = "allowed"
    except Exception as e:  # noqa: BLE001 -- any failure means the attack was stopped
        res[name] = "blocked"


def read_teacher():
    open(cfg["teacher_file"]).read()


def write_other():
    with open(os.path.join(cfg["victim_dir"], "client.py"), "a") as f:
        f.write("\nimport sys; sys.exit(3)\n")


def proc_secret():
    # The grader's environment or another run's, through /proc (or our own environment).
    if cfg["secret"] in "".join(os.environ.values()):
        return
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                if cfg["secret"].encode() in open(f"/proc/{pid}/environ", "rb").read():
                    return
            except OSError:
                pass
    raise PermissionError("not found")


def proc_exe():
    # The process that started us: its binary and its memory map.
    ppid = os.getppid()
    open(f"/proc/{ppid}/exe", "rb").read(16)
    open(f"/proc/{ppid}/mem", "rb").close()


def signal_parent():
    import signal
    os.kill(os.getppid(), signal.SIGCONT)


def connect_other():
    socket.create_connection(("127.0.0.1", cfg["other_port"]), timeout=2).close()


def bind_listen():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    s.close()


def other_interfaces():
    names = [n for _, n in socket.if_nameindex()]
    if names == ["lo"]:
        raise PermissionError("only lo")


def allocate():
    # 2 GiB of private writable memory, never touched (the test machine's RAM is not at risk
    # when this succeeds, as it does without the sandbox).
    import mmap
    m = mmap.mmap(-1, 2 << 30, flags=mmap.MAP_PRIVATE)
    m.close()


def huge_file():
    path = os.path.join(tempfile.gettempdir(), f"netlab-attack-{os.getpid()}")
    try:
        with open(path, "wb") as f:
            chunk = b"x" * (1 << 20)
            for _ in range(80):
                f.write(chunk)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def escape():
    # A daemon with a cleared environment (no NETLAB_RUN marker) in its own session that
    # tries to write outside for a while; its command line carries a token the test looks for.
    code = (
        "import sys,time\n"
        "for _ in range(300):\n"
        "    try:\n"
        "        open(sys.argv[2],'a').write('escaped\\n')\n"
        "    except OSError: pass\n"
        "    time.sleep(0.1)\n"
    )
    subprocess.Popen(
        [sys.executable, "-c", code, cfg["token"], cfg["escape_file"]],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


for name, fn in [
    ("read_teacher", read_teacher),
    ("write_other", write_other),
    ("proc_secret", proc_secret),
    ("proc_exe", proc_exe),
    ("signal_parent", signal_parent),
    ("connect_other", connect_other),
    ("bind_listen", bind_listen),
    ("other_interfaces", other_interfaces),
    ("allocate_2g", allocate),
    ("huge_file", huge_file),
]:
    attempt(name, fn)
escape()

# The honest part: our own lab port works.
try:
    with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), timeout=5) as s:
        s.sendall(b"hello\r\n")
        data = b""
        while not data.endswith(b"\r\n"):
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
        print(data.decode().strip())
        s.shutdown(socket.SHUT_WR)
        s.recv(1024)
    res["own_port"] = "ok"
except Exception as e:  # noqa: BLE001
    res["own_port"] = f"failed: {e}"
print("RESULT " + json.dumps(res, sort_keys=True), file=sys.stderr)
