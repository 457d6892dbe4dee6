"""Test your erasure scripts offline against the bundled emulator.

:class:`Emulator` runs, inside this process on 127.0.0.1, the same emulator
of the vendors' delete APIs (Jumio, the Jumio Platform, HyperVerge,
Onfido, Persona, Stripe Identity, Veriff) that idv-delete's own tests use:
stateful (seeded transactions answer 200 once, then 404), checking
credentials, headers and signatures like the vendors, completing the
erasures of Onfido, Persona and Stripe after a delay you choose, and
injecting faults on a seeded schedule::

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

An erasure the vendor completes later, and its recheck::

    import time
    from idv_delete.testing import STRIPE_SECRET_KEY

    with Emulator(stripe_redaction_delay=0.5) as emulator:
        emulator.seed("verification_session", ["vs_123"])
        stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
        assert isinstance(stripe.delete_verification_session("vs_123"), idv_delete.Scheduled)
        time.sleep(0.6)
        assert stripe.recheck("vs_123").confirmed_by == "recheck"

The credentials below are the emulator's defaults: test values, not secrets.
"""

from ._native import (
    EMULATOR_HYPERVERGE_APP_ID,
    EMULATOR_HYPERVERGE_APP_KEY,
    EMULATOR_JUMIO_CLIENT_ID,
    EMULATOR_JUMIO_CLIENT_SECRET,
    EMULATOR_JUMIO_SECRET,
    EMULATOR_JUMIO_TOKEN,
    EMULATOR_ONFIDO_API_TOKEN,
    EMULATOR_PERSONA_API_KEY,
    EMULATOR_PERSONA_READ_ONLY_KEY,
    EMULATOR_STRIPE_SECRET_KEY,
    EMULATOR_VERIFF_API_KEY,
    EMULATOR_VERIFF_SHARED_SECRET,
    Emulator,
    ReferenceStats,
    Stats,
)
from ._types import RetryAfterFormat, SeedState

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
#: The Onfido API token the emulator accepts by default.
ONFIDO_API_TOKEN: str = EMULATOR_ONFIDO_API_TOKEN
#: The Persona API key the emulator accepts by default.
PERSONA_API_KEY: str = EMULATOR_PERSONA_API_KEY
#: A Persona API key the emulator accepts for reads but not redactions (403).
PERSONA_READ_ONLY_KEY: str = EMULATOR_PERSONA_READ_ONLY_KEY
#: The Stripe secret key the emulator accepts by default.
STRIPE_SECRET_KEY: str = EMULATOR_STRIPE_SECRET_KEY
#: The Veriff API key (``X-AUTH-CLIENT``) the emulator accepts by default.
VERIFF_API_KEY: str = EMULATOR_VERIFF_API_KEY
#: The Veriff shared secret the emulator checks signatures with by default.
VERIFF_SHARED_SECRET: str = EMULATOR_VERIFF_SHARED_SECRET

__all__ = [
    "HYPERVERGE_APP_ID",
    "HYPERVERGE_APP_KEY",
    "JUMIO_CLIENT_ID",
    "JUMIO_CLIENT_SECRET",
    "JUMIO_SECRET",
    "JUMIO_TOKEN",
    "ONFIDO_API_TOKEN",
    "PERSONA_API_KEY",
    "PERSONA_READ_ONLY_KEY",
    "STRIPE_SECRET_KEY",
    "VERIFF_API_KEY",
    "VERIFF_SHARED_SECRET",
    "Emulator",
    "ReferenceStats",
    "RetryAfterFormat",
    "SeedState",
    "Stats",
]
