"""Addresses on channels without integer ids (Zalo), and the numbered menus typed numbers answer there."""

from bot.services.channels.addresses import Address, ChannelAddressService, is_synthetic, synthetic_id
from bot.services.channels.menus import MenuService, Resolution, bare_number

__all__ = [
    "Address",
    "ChannelAddressService",
    "MenuService",
    "Resolution",
    "bare_number",
    "is_synthetic",
    "synthetic_id",
]
