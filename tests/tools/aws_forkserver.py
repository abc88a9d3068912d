"""A fork server for the real `aws` CLI (awscli v1), used by the moto tests.

Each `aws` run spends most of its second importing awscli/botocore and parsing the JSON
service models. This server does that once, then forks one child per invocation: the child
takes the caller's argv, environment, working directory and standard streams (passed over
a Unix socket with SCM_RIGHTS), builds a fresh CLI driver (so configuration and
credentials are read from the caller's environment, as a new process would) and runs the
unchanged `awscli.clidriver` code; its exit status goes back to the caller. Only imports
and the parsed model files are shared, copy-on-write, and every child starts from the same
pristine parent state.

    python aws_forkserver.py serve SOCKET      # the server
    python -SE aws_forkserver.py SOCKET ARGS   # a client (what the `aws` shim runs)
"""

import json
import os
import signal
import socket
import struct
import sys


def client(path, args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    msg = json.dumps({"argv": args, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    socket.send_fds(s, [struct.pack("!I", len(msg)) + msg], [0, 1, 2])
    data = b""
    while len(data) < 4:
        chunk = s.recv(4 - len(data))
        if not chunk:
            sys.stderr.write("aws: the CLI process ended without a status\n")
            return 255
        data += chunk
    return struct.unpack("!i", data)[0]


def serve(path):
    import botocore.loaders
    import awscli
    from awscli.clidriver import create_clidriver

    data_dir = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data")

    # Parsed model files, shared by every child (each child gets its own copy-on-write).
    original = botocore.loaders.JSONFileLoader.load_file
    cache = {}

    def load_file(self, file_path, *a, **k):
        key = (file_path, a, tuple(sorted(k.items())))
        if key not in cache:
            cache[key] = original(self, file_path, *a, **k)
        return cache[key]

    botocore.loaders.JSONFileLoader.load_file = load_file

    # Listing the data folders (hundreds of services) is the other big cost; the folders
    # do not change while the server runs. Keyed by the search path, which comes from the
    # caller's AWS_DATA_PATH.
    def folder_cached(name):
        inner = getattr(botocore.loaders.Loader, name)
        results = {}

        def wrapper(self, *a, **k):
            key = (tuple(self.search_paths), a, tuple(sorted(k.items())))
            if key not in results:
                results[key] = inner(self, *a, **k)
            value = results[key]
            return list(value) if isinstance(value, list) else value

        setattr(botocore.loaders.Loader, name, wrapper)

    for name in ["list_available_services", "list_api_versions", "determine_latest_version"]:
        folder_cached(name)
    warm = create_clidriver()
    warm._get_command_table()
    for service in ["ec2", "iam", "s3", "s3api", "logs", "kms", "ssm", "sts"]:
        try:
            warm.session.get_service_model("s3" if service == "s3api" else service)
        except Exception:
            pass
    for data in ["endpoints", "partitions", "sdk-default-configuration"]:
        try:
            warm.session.get_data(data)
        except Exception:
            pass
    del warm

    # Gone with the test that started it, even when that one was killed.
    import threading
    import time

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        # Reap the finished children (their CPU time then counts in this process's).
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        pid = os.fork()
        if pid:
            conn.close()
            continue
        srv.close()
        rc = 255
        try:
            first, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
            if len(first) < 4:
                os._exit(0)  # a connection probe (the server's readiness check)
            (n,) = struct.unpack("!I", first[:4])
            body = first[4:]
            while len(body) < n:
                chunk = conn.recv(n - len(body))
                if not chunk:
                    break
                body += chunk
            req = json.loads(body)
            for target, fd in zip((0, 1, 2), fds):
                os.dup2(fd, target)
                os.close(fd)
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            # What `import awscli` does to the environment of a new process.
            paths = [os.path.expanduser(os.path.expandvars(x)) for x in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if x]
            os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths + [data_dir])
            sys.argv = ["aws"] + req["argv"]
            try:
                rc = create_clidriver().main(req["argv"])
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException as e:  # the caller must get a status whatever happens
            try:
                sys.stderr.write("aws fork server: %r\n" % (e,))
            except Exception:
                pass
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:
                pass
            try:
                conn.sendall(struct.pack("!i", rc if isinstance(rc, int) else 255))
            except Exception:
                pass
            os._exit(0)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(client(sys.argv[1], sys.argv[2:]))
