"""purge-kyc-documents (SPEC §7): daily, retries every KYC purge still marked."""

from __future__ import annotations

from khadamat.jobs import job


@job("purge-kyc-documents")
def purge_kyc_documents() -> dict:
    from khadamat import clock
    from khadamat.usecases import kyc

    return kyc.purge_pending(clock.now())
