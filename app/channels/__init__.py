"""The doors a complaint comes in by: SMS 1708 gateways, WhatsApp, Messenger, Instagram and X."""
