"""Difficulties raised to the Director through the Administration Office: commands, actions, notices."""
