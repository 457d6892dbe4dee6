"""Test your erasure scripts offline against the bundled emulator.

:class:`Emulator` runs, inside this process on 127.0.0.1, the same emulator
of the vendors' delete APIs (Jumio, the Jumio Platform, HyperVerge) that
idv-delete's own tests use: stateful
(seeded transactions answer 200 once, then 404), checking credentials and
headers like the vendors, and injecting faults on a seeded schedule::

    import idv_delete
    from idv_delete.testing import Emulator, JUMIO_TOKEN, JUMIO_SECRET

    with Emulator() as emulator:
        emulator.seed("scan", ["ref-1", "ref-2"])
        jumio = idv_delete.Jumio(JUMIO_TOKEN, JUMIO_SECRET,
                                 user_agent="Acme KYC-Cleaner/1.0",
                                 base_url=emulator.base_url)
        jumio.delete_scan("ref-1")
        emulator.set_faults(p503=1.0)          # every request now gets a 503
        assert emulator.stats().reference("scan", "ref-1").applied == 1

The credentials below are the emulator's defaults: test values, not secrets.
"""

from ._native import (
    EMULATOR_HYPERVERGE_APP_ID,
    EMULATOR_HYPERVERGE_APP_KEY,
    EMULATOR_JUMIO_CLIENT_ID,
    EMULATOR_JUMIO_CLIENT_SECRET,
    EMULATOR_JUMIO_SECRET,
    EMULATOR_JUMIO_TOKEN,
    Emulator,
    ReferenceStats,
    Stats,
)
from ._types import RetryAfterFormat

#: The Jumio API token the emulator accepts by default.
JUMIO_TOKEN: str = EMULATOR_JUMIO_TOKEN
#: The Jumio API secret the emulator accepts by default.
JUMIO_SECRET: str = EMULATOR_JUMIO_SECRET
#: The Jumio Platform OAuth2 client id the emulator accepts by default.
JUMIO_CLIENT_ID: str = EMULATOR_JUMIO_CLIENT_ID
#: The Jumio Platform OAuth2 client secret the emulator accepts by default.
JUMIO_CLIENT_SECRET: str = EMULATOR_JUMIO_CLIENT_SECRET
#: The HyperVerge ``appid`` the emulator accepts by default.
HYPERVERGE_APP_ID: str = EMULATOR_HYPERVERGE_APP_ID
#: The HyperVerge ``appkey`` the emulator accepts by default.
HYPERVERGE_APP_KEY: str = EMULATOR_HYPERVERGE_APP_KEY

__all__ = [
    "HYPERVERGE_APP_ID",
    "HYPERVERGE_APP_KEY",
    "JUMIO_CLIENT_ID",
    "JUMIO_CLIENT_SECRET",
    "JUMIO_SECRET",
    "JUMIO_TOKEN",
    "Emulator",
    "ReferenceStats",
    "RetryAfterFormat",
    "Stats",
]
