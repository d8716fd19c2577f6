"""One HTTP client for the tests' requests to the local servers.

`httpx.post(...)` builds a new client, and with it an SSL context that reads the system's CA certificates: about
25 ms of the test process's time per message, over half of what a conversation test took.
"""

from __future__ import annotations

import httpx

CLIENT = httpx.Client(timeout=60)
