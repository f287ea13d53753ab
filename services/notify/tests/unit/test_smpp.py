"""SMPP submit_sm building without an SMSC: GSM-7 data coding, concatenation UDH, addresses."""
import itertools

from notify.channels.base import Outgoing
from notify.channels.sms_smpp import ESM_CLASS_UDHI, msisdn, parts, submit_pdus


def test_short_text_is_one_plain_part():
    [p] = parts("Hồ sơ đã quá hạn", 1)
    assert p.short_message == b"Ho so da qua han" and p.esm_class == 0 and p.data_coding == 0


def test_long_text_is_concatenated_with_udh():
    ps = parts("đ" * 200, 42)
    assert [p.short_message[:6] for p in ps] == [bytes((5, 0, 3, 42, 2, 1)), bytes((5, 0, 3, 42, 2, 2))]
    assert [len(p.short_message) - 6 for p in ps] == [153, 47]
    assert all(p.esm_class == ESM_CLASS_UDHI for p in ps)


def test_submit_pdus_generate_with_sequences_and_international_number():
    seq = itertools.count(7)
    pdus = submit_pdus(Outgoing(1, "sms", "0912 345 678", "", "a" * 170), "DUNGHAN", 9, lambda: next(seq))
    raw = [p.generate() for p in pdus]
    assert [int.from_bytes(r[12:16], "big") for r in raw] == [7, 8]
    assert [int.from_bytes(r[4:8], "big") for r in raw] == [4, 4]  # submit_sm
    assert b"DUNGHAN\x00" in raw[0] and b"84912345678\x00" in raw[0]
    assert msisdn("+84 912 345 678") == "84912345678"


def test_a_resent_notification_carries_the_same_concatenation_reference():
    from notify.channels.sms_smpp import SmppGateway

    gateway = SmppGateway("127.0.0.1", 2775, system_id="x", password="y", sender="DUNGHAN")
    assert gateway.reference(256) == gateway.reference(256) != gateway.reference(257)
    assert all(1 <= gateway.reference(n) <= 255 for n in range(1, 600))
