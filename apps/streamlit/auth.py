"""Sign-in and the signed-in user, kept in the Streamlit session.

The session holds only what the pages need (user_id, email, display name, role, tenant_id); the
password and its hash never enter it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from apps.streamlit import writes
from warehouse.users import authenticate

SESSION_KEY = "user"
SIGN_IN_ERROR = "Wrong email or password, or the account is inactive."


def current_user() -> dict[str, Any] | None:
    return st.session_state.get(SESSION_KEY)


def require_user() -> dict[str, Any]:
    """The signed-in user; a page reached without one stops here."""
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user


def sign_in_page() -> None:
    st.title("Order platform")
    st.caption("Sign in with the email and password your administrator gave you.")
    with st.form("sign_in"):
        email = st.text_input("Email", key="sign_in_email", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
    if not submitted:
        return
    user = authenticate(email or "", password or "")
    if user is None:
        # One message for an unknown email, a wrong password and an inactive account alike.
        st.error(SIGN_IN_ERROR)
        return
    st.session_state[SESSION_KEY] = {
        "user_id": user["user_id"],
        "email": user["email"],
        "display_name": user["display_name"],
        "role": user["role"],
        "tenant_id": user["tenant_id"],
    }
    writes.record_sign_in(st.session_state[SESSION_KEY])
    st.rerun()


def sign_out() -> None:
    user = current_user()
    if user is not None:
        writes.record_sign_out(user)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.rerun()


def sidebar(user: dict[str, Any]) -> None:
    with st.sidebar:
        st.text(user["display_name"])
        st.caption(f"{user['email']} · {user['role']} · tenant {user['tenant_id']}")
        if st.button("Sign out", key="sign_out"):
            sign_out()
