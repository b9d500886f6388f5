"""Headers every desk response carries, and the session cookie's attributes."""

from __future__ import annotations

# No inline script or style anywhere: scripts and styles come only from /desk/static on this origin.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link's secret never leaks into another site's logs
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
NO_STORE = "no-store"  # pages hold personal data: no copy in the browser's or a proxy's cache


def cookie_options(secure: bool, max_age: int) -> dict:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure unless in dev."""
    options = {"httponly": True, "samesite": "Strict", "path": "/", "max_age": max_age}
    if secure:
        options["secure"] = True
    return options
