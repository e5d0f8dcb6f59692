"""A NeMo manifest over real speech (the shared clips) with one wrong label: the corpus audit's
test on the command line and in the browser."""

from __future__ import annotations

import json

from tests.conftest import SHARED_AUDIO

WRONG = "The horizon seems extremely distant."  # another clip's label


def licence_manifest(folder) -> tuple:
    """A NeMo manifest over two real clips (offsets into them), seven labels of which one
    belongs to another clip; (the manifest's path, how many labels)."""
    jfk, licence = SHARED_AUDIO / "jfk.flac", SHARED_AUDIO / "multilingual.mp3"
    rows = [
        (jfk, 0.0, 2.4, "And so my fellow Americans"),
        (jfk, 2.4, 7.5, "ask not what your country can do for you"),
        (jfk, 7.5, 11.0, "ask what you can do for your country"),
        (
            licence,
            0.0,
            8.85,
            "Permission is hereby granted, free of charge, to any person "
            "obtaining a copy of the software and associated documentation "
            "files to deal in the software without restriction",
        ),
        (licence, 20.95, 22.9, "subject to the following conditions"),
        (licence, 22.9, 25.6, WRONG),
        (
            licence,
            25.6,
            29.2,
            "shall be included in all copies or substantial portions of the software",
        ),
    ]
    manifest = folder / "manifest.json"
    manifest.write_text(
        "".join(
            json.dumps(
                {"audio_filepath": str(a), "offset": s, "duration": round(e - s, 2), "text": t}
            )
            + "\n"
            for a, s, e, t in rows
        )
    )
    return manifest, len(rows)
