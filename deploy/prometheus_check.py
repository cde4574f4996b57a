"""Exit 0 when a Python expression over a Prometheus API answer's ``data`` holds.

    python deploy/prometheus_check.py URL EXPRESSION

Used by deploy/verify.sh and deploy/stack/verify-stack.sh (our own expressions, never input).
"""

import json
import sys
import urllib.request

url, condition = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our stack's URL)
        data = json.load(response)["data"]
except OSError:
    sys.exit(1)
sys.exit(0 if eval(condition, {"data": data}) else 1)  # noqa: S307 (our own expressions)
