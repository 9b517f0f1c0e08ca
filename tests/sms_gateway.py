"""A stand-in for the SMS gateway (the one thing outside the machine): it appends every message it is
handed to a file, one line per call, as ``<dedupe key>\\t<phone>``. Real gateways accept a client message id
and drop repeats; ``accepted_keys`` reads the file the way such a gateway would count."""

import os
import time
from pathlib import Path


class FileGateway:
    def __init__(self):
        self.path = Path(os.environ["SMS_GATEWAY_FILE"])
        self.delay = float(os.environ.get("SMS_GATEWAY_DELAY", "0"))

    def send(self, *, phone: str, text: str, key: str) -> None:
        if self.delay:
            time.sleep(self.delay)  # the network round trip of a real gateway
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(f"{key}\t{phone}\n")


def calls(path: Path) -> list[str]:
    return [line.split("\t")[0] for line in path.read_text().splitlines()] if path.exists() else []
