"""App users: argon2 hashes, the owner's add_user, and sign-in through the app role."""

from __future__ import annotations

import pytest

from warehouse import users


@pytest.fixture
def alice(clean_db):
    return users.add_user(
        "Alice@Example.com ", "s3cret-pass", "reviewer", "t-users", "Alice", created_by="test"
    )


def test_add_user_then_authenticate(alice, clean_db):
    assert alice["email"] == "alice@example.com"
    assert alice["tenant_id"] == "t-users"
    assert alice["role"] == "reviewer"
    assert "password_hash" not in alice

    signed_in = users.authenticate("ALICE@example.com", "s3cret-pass")
    assert signed_in == {
        "user_id": alice["user_id"],
        "tenant_id": "t-users",
        "email": "alice@example.com",
        "display_name": "Alice",
        "role": "reviewer",
    }
    with clean_db.cursor() as cur:
        cur.execute("select name from app.tenants where tenant_id = 't-users'")
        assert cur.fetchone() == ("t-users",)
        cur.execute(
            "select user_email, action, entity_key from app.audit_log "
            "where tenant_id = 't-users' order by audit_id"
        )
        assert cur.fetchall() == [("test", "user.created", "alice@example.com")]


def test_wrong_password_and_unknown_user_are_refused(alice):
    assert users.authenticate("alice@example.com", "wrong") is None
    assert users.authenticate("alice@example.com", "") is None
    assert users.authenticate("nobody@example.com", "s3cret-pass") is None


def test_password_is_stored_as_argon2_hash(alice, clean_db):
    with clean_db.cursor() as cur:
        cur.execute("select password_hash from app.users where email = 'alice@example.com'")
        (stored,) = cur.fetchone()
    assert stored.startswith("$argon2id$")
    assert "s3cret-pass" not in stored
    assert users.verify_password(stored, "s3cret-pass")
    assert not users.verify_password(stored, "s3cret-pasS")
    assert not users.verify_password("not a hash", "s3cret-pass")


def test_inactive_user_cannot_sign_in_and_re_adding_reactivates(alice, clean_db):
    assert users.set_user_active("alice@example.com", False, changed_by="test")
    assert users.authenticate("alice@example.com", "s3cret-pass") is None

    again = users.add_user(
        "alice@example.com", "new-pass-1", "admin", "t-users", "Alice A.", created_by="test"
    )
    assert again["user_id"] == alice["user_id"]
    assert again["role"] == "admin"
    assert users.authenticate("alice@example.com", "s3cret-pass") is None
    assert users.authenticate("alice@example.com", "new-pass-1")["role"] == "admin"
    with clean_db.cursor() as cur:
        cur.execute("select count(*) from app.users")
        assert cur.fetchone()[0] == 1
        cur.execute(
            "select action from app.audit_log where entity_key = 'alice@example.com' order by audit_id"
        )
        assert [r[0] for r in cur.fetchall()] == ["user.created", "user.deactivated", "user.updated"]


def test_add_user_refuses_bad_input_and_tenant_moves(alice):
    with pytest.raises(ValueError, match="role"):
        users.add_user("bob@example.com", "pw", "superuser", "t-users", "Bob")
    with pytest.raises(ValueError, match="email"):
        users.add_user("bob", "pw", "ops", "t-users", "Bob")
    with pytest.raises(ValueError, match="password"):
        users.add_user("bob@example.com", "", "ops", "t-users", "Bob")
    with pytest.raises(ValueError, match="belongs to tenant"):
        users.add_user("alice@example.com", "pw", "ops", "another", "Alice")
    assert users.authenticate("alice@example.com", "s3cret-pass")["tenant_id"] == "t-users"


def test_cli_users_add(clean_db, capsys):
    from orchestration.cli import main

    assert (
        main(
            [
                "users",
                "add",
                "--email",
                "ops@example.com",
                "--password",
                "pw-123456",
                "--role",
                "ops",
                "--tenant",
                "t-cli",
                "--name",
                "Ops Person",
            ]
        )
        == 0
    )
    assert "ops@example.com (ops) in tenant t-cli" in capsys.readouterr().out
    assert users.authenticate("ops@example.com", "pw-123456")["display_name"] == "Ops Person"
