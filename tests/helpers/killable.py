"""`python -m tests.helpers.killable ARGS...`: the command line with a slow fake engine named
'slow', for tests that SIGKILL a command half-way (tests/test_kills.py)."""

from __future__ import annotations

import sys
import time

from tests.conftest import FakeEngine
from workbench import asr
from workbench.cli import main


class SlowEngine(FakeEngine):
    """The fake engine, taking a while over each drafted segment, as a real one does."""

    name = "slow"

    def transcribe(self, audio, options):
        transcript = super().transcribe(audio, options)

        def slowly():
            for segment in transcript.segments:
                time.sleep(0.05)
                yield segment

        return type(transcript)(language=transcript.language, segments=slowly())


if __name__ == "__main__":
    asr.ENGINES["slow"] = lambda model, models_dir: SlowEngine(model)
    sys.exit(main(sys.argv[1:]))
