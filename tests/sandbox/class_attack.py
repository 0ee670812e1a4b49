# A hostile student in a class graded by `netlab grade`: one attack on the class (chosen by
# `mode` in targets.json), a `RESULT {json}` line on stderr (name -> "allowed" | "blocked"),
# then the honest tcp-hello job, then exit 3 so that the report keeps the stderr tail.
# Every attack is bounded in time and processes.
import json, os, signal, socket, subprocess, sys, time

cfg = json.load(open("targets.json"))
res = {}


def own_port():
    return int(os.environ.get("NETLAB_PORT", "0"))


def environs():
    """(pid, environment bytes) of every process we can read."""
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                yield int(pid), open(f"/proc/{pid}/environ", "rb").read()
            except OSError:
                pass


def hijack():
    # Find other runs' lab ports in /proc/*/environ and spoil their traces with junk bytes.
    # Other runs overlap with this one (the slow victim holds its connection for seconds).
    deadline = time.monotonic() + 4
    hit = set()
    while time.monotonic() < deadline and not hit:
        for _, env in environs():
            for var in env.split(b"\0"):
                if var.startswith(b"NETLAB_PORT="):
                    port = int(var.split(b"=", 1)[1] or 0)
                    if port and port != own_port() and port not in hit:
                        try:
                            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                                s.sendall(b"junk\r\n")
                            hit.add(port)
                        except OSError:
                            pass
        time.sleep(0.05)
    res["hijack"] = "allowed" if hit else "blocked"


def daemon(code, *args):
    # A daemon in its own session with a cleared environment (no NETLAB_RUN marker); its
    # command line carries the test's token.
    subprocess.Popen(
        [sys.executable, "-c", code, cfg["token"], *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rewrite():
    # Outlive netlab and turn every "fail" of the gradebook into "pass" once it is written.
    code = (
        "import sys,time\n"
        "for _ in range(400):\n"
        "    try:\n"
        "        t=open(sys.argv[2]).read()\n"
        "        if 'fail' in t:\n"
        "            open(sys.argv[2],'w').write(t.replace('fail','pass'))\n"
        "    except OSError: pass\n"
        "    time.sleep(0.05)\n"
    )
    daemon(code, cfg["out"])
    res["rewrite_daemon"] = "started"


def plant():
    # Symbolic links in the feedback folder pointing at a teacher's file.
    made = 0
    for name in cfg["plant_names"]:
        try:
            os.symlink(cfg["precious"], os.path.join(cfg["feedback"], name))
            made += 1
        except OSError:
            pass
    res["plant_symlink"] = "allowed" if made else "blocked"


def kill_netlab():
    # SIGKILL every process grading this class (its command line names the class folder).
    killed = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        if cfg["class_dir"].encode() in cmd and b"grade" in cmd:
            try:
                os.kill(int(pid), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    res["kill_netlab"] = "allowed" if killed else "blocked"


{"hijack": hijack, "rewrite": rewrite, "plant": plant, "kill": kill_netlab}[cfg["mode"]]()

# The honest part, through our own lab port.
try:
    with socket.create_connection((os.environ["NETLAB_HOST"], own_port()), timeout=5) as s:
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
sys.exit(3)
