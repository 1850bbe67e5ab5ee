"""Runs `openstack` commands one after another in one Python process.

Each command is what /usr/bin/openstack runs (openstackclient.shell.main), with a fresh shell,
its own captured stdout and stderr, and what a process would not keep between commands reset:
the root logger's handlers, and the API clients osc caches on osc_lib's ClientManager class (a
placement client made at one --os-placement-api-version would serve the next command).
Start-up (importing the client and its plugins) dominates a command's time; paying it once
per side makes test/osc-placement.test.ts take seconds instead of minutes.

Protocol: one JSON array of arguments per line on stdin; one JSON object per line on stdout:
{"exit": <code>, "stdout": "...", "stderr": "..."}.
"""

import io
import json
import logging
import sys

from osc_lib.clientmanager import ClientCache, ClientManager
from openstackclient.shell import main

real_stdout = sys.stdout

for line in sys.stdin:
    argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout, sys.stderr = real_stdout, sys.__stderr__
        root = logging.getLogger('')
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for cache in vars(ClientManager).values():
            if isinstance(cache, ClientCache):
                cache._handle = None
    real_stdout.write(json.dumps({'exit': code or 0, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\n')
    real_stdout.flush()
