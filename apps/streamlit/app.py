"""The order platform's app: ``streamlit run apps/streamlit/app.py``.

Signed out, the only page is the sign-in form. Signed in, ``st.navigation`` offers the pages of
the user's role (see ``navigation.ROLE_PAGES``), grouped in sections.
"""

from __future__ import annotations

import streamlit as st

from apps.streamlit import auth
from apps.streamlit.navigation import pages_for

st.set_page_config(page_title="Order platform", page_icon=":material/local_shipping:", layout="wide")

user = auth.current_user()
if user is None:
    st.navigation([st.Page(auth.sign_in_page, title="Sign in", url_path="sign-in")], position="hidden").run()
    st.stop()

sections: dict[str, list[st.Page]] = {}
for spec in pages_for(user["role"]):
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
    )
if not sections:
    st.error(f"The role {user['role']!r} has no pages. Ask an administrator.")
    auth.sidebar(user)
    st.stop()

auth.sidebar(user)
st.navigation(sections).run()
