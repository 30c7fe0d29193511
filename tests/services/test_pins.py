"""The stored form of a PIN: existing rows hold it, so it must never change."""

import hashlib
import hmac

from gateway.services import pins


def test_a_pin_is_stored_as_hmac_sha256_of_organisation_and_pin_under_the_secret_key():
    for secret, organisation_id, pin in ((b"k" * 32, 7, "24680"), (b"other", 7, "24680"), (b"k" * 32, 8, "24680")):
        expected = hmac.new(secret, f"{organisation_id}:{pin}".encode(), hashlib.sha256).hexdigest()
        assert pins.pin_hmac(secret, organisation_id, pin) == expected
    # The keyed state is copied for each PIN, never updated in place.
    assert pins.pin_hmac(b"k" * 32, 7, "24680") == pins.pin_hmac(b"k" * 32, 7, "24680")
