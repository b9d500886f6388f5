"""Trợ lý Thi đua: the emulation-movement reporting assistant of Sở KH&CN Quảng Ngãi."""
