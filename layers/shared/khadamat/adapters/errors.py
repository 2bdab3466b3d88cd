"""How a channel adapter tells the delivery use case what happened."""


class SendFailed(Exception):
    """The provider refused or could not be reached: nothing went out, a retry may send."""


class Undeliverable(Exception):
    """This unit can never be sent (no address, dead device token, channel not configured).

    It is recorded as SKIPPED with the reason; retrying would not help.
    """


class DeadDeviceToken(Undeliverable):
    """The push service says this device token no longer exists: forget the device."""
