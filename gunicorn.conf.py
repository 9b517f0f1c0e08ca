"""gunicorn reads this file from the folder it starts in (``make run`` and the README's production command both
start there): its error and access logs go through the same personal-data filter as Django's, so that no ID
number, mobile number or signed-link token reaches a log from a request line, a referrer or an error."""

import sys
from pathlib import Path

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent))

from programs.log_masking import PersonalDataFilter


class MaskingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                    handler.addFilter(PersonalDataFilter())


logger_class = MaskingLogger
