"""Users (admin): the tenant's users, read through the app role under row-level security."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries
from apps.streamlit.formatting import utc, yes_no

user = auth.require_user()
if user["role"] != "admin":
    st.error("Only an administrator can see this page.")
    st.stop()

st.title("Users")
st.caption(f"Users of tenant {user['tenant_id']}. Add or update one with `oms users add`.")
if not queries.can_list_users(user["tenant_id"]):
    st.warning("The app's database role may not read the user list yet: a migration must grant it.")
    st.stop()
users = queries.tenant_users(user["tenant_id"])
if len(users) == 0:
    st.info("No users in this tenant.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            "Email": users["email"],
            "Name": users["display_name"],
            "Role": users["role"],
            "Active": users["is_active"].map(yes_no),
            "Created (UTC)": users["created_at"].map(utc),
            "Created by": users["created_by"],
        }
    ),
    hide_index=True,
    width="stretch",
    key="users_table",
)
