"""Accounts, sessions and roles: every refusal is proved here, in the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workbench import store
from workbench.core.access import Action, Forbidden, allowed
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import Role, User
from workbench.formats.corpus_export import export_batch, past_exports
from workbench.labelling.editor_actions import Beside, apply_action
from workbench.labelling.labeller_edits import restore, split_at
from workbench.projects import people
from workbench.projects.settings import (
    ensure_project,
    get_project,
    open_project,
    projects,
    update_settings,
)
from workbench.review.verdicts import reject


@pytest.fixture
def team(wb, drafted):
    """An owner (signed in the real way), a reviewer and a labeller in 'demo', an outsider."""
    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    wb_owner = wb.as_user(owner)
    accounts = {}
    for name, role in (("rita", "reviewer"), ("lena", "labeler"), ("otto", "labeler")):
        user, _ = people.create_user(wb_owner, name, role, "secret-pass")
        accounts[name] = wb.as_user(user)
    people.set_members(wb_owner, drafted.id, [accounts["rita"].actor.id, accounts["lena"].actor.id])
    return {"olga": wb_owner, **accounts}


def test_role_grants_are_nested():
    def user(role):
        return User(1, "x", role)

    for action in Action:
        if allowed(user(Role.LABELLER), action):
            assert allowed(user(Role.REVIEWER), action)
        if allowed(user(Role.REVIEWER), action):
            assert allowed(user(Role.OWNER), action)
    assert not allowed(User(1, "x", Role.OWNER, active=False), Action.VIEW)
    from workbench.core.workbench import NOBODY

    assert not any(allowed(NOBODY, action) for action in Action)  # a browser not signed in


def test_first_owner_only_once(wb):
    session = people.create_first_owner(wb, "olga", "owner-pass-1")
    assert session.user.role is Role.OWNER and people.resume(wb, session.token) == session.user
    with pytest.raises(Forbidden, match="exists already"):
        people.create_first_owner(wb, "mallory", "another-pass")
    assert [u.name for u in store.list_users(wb.db)] == ["olga"]


def test_racing_first_owners_make_exactly_one(wb):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    start = Barrier(6)

    def race(i: int):
        start.wait()
        return store.create_first_owner(wb.db, f"owner{i}", "!unusable")

    for trial in range(4):
        with wb.db.begin() as conn:
            conn.execute(store.users.delete())
        with ThreadPoolExecutor(6) as pool:
            made = [u for u in pool.map(race, range(6)) if u is not None]
        assert len(made) == 1, f"trial {trial}: {[u.name for u in made]}"
        assert [u.name for u in store.list_users(wb.db)] == [made[0].name]


def test_passwords_are_hashed_and_checked(wb):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    user, stored = store.find_user(wb.db, "olga")
    assert stored.startswith("$argon2id$") and "owner-pass-1" not in stored
    with pytest.raises(people.SignInError, match="wrong name or password"):
        people.sign_in(wb, "olga", "wrong-pass")
    with pytest.raises(people.SignInError, match="wrong name or password"):
        people.sign_in(wb, "nobody", "owner-pass-1")
    assert people.sign_in(wb, " OLGA ", "owner-pass-1").user.id == user.id


def test_repeated_failures_lock_the_name(wb):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    for _ in range(people.LOCKOUT_FAILURES):
        with pytest.raises(people.SignInError):
            people.sign_in(wb, "olga", "guess")
    with pytest.raises(people.SignInError, match="too many failed attempts"):
        people.sign_in(wb, "olga", "owner-pass-1")


def test_sessions_end_at_sign_out_expiry_and_deactivation(wb, team, monkeypatch):
    session = people.sign_in(wb, "lena", "secret-pass")
    assert people.resume(wb, session.token).name == "lena"
    people.sign_out(team["lena"], session.token)
    assert people.resume(wb, session.token) is None

    session = people.sign_in(wb, "lena", "secret-pass")
    later = store.now() + timedelta(hours=people.IDLE_HOURS + 1)
    monkeypatch.setattr(store, "now", lambda: later)
    assert people.resume(wb, session.token) is None
    monkeypatch.undo()

    session = people.sign_in(wb, "lena", "secret-pass")
    people.set_active(team["olga"], team["lena"].actor.id, False)
    assert people.resume(wb, session.token) is None
    with pytest.raises(people.SignInError):
        people.sign_in(wb, "lena", "secret-pass")
    assert people.resume(wb, "forged-token") is None and people.resume(wb, None) is None


def test_changing_the_password_ends_the_other_sessions(wb, team):
    here = people.sign_in(wb, "lena", "secret-pass")
    elsewhere = people.sign_in(wb, "lena", "secret-pass")
    others = people.sign_in(wb, "rita", "secret-pass")
    people.change_password(team["lena"], "secret-pass", "new-secret-1", keep=here.token)
    assert people.resume(wb, here.token).name == "lena"
    assert people.resume(wb, elsewhere.token) is None
    assert people.resume(wb, others.token).name == "rita"  # only hers end


def test_a_session_is_bound_to_the_browser_and_network_that_signed_in(wb, team):
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    here = people.binding(firefox, "203.0.113.7")
    session = people.sign_in(wb, "lena", "secret-pass", bound=here)
    assert people.resume(wb, session.token, people.binding(firefox, "203.0.113.200")).name == "lena"
    assert people.resume(wb, session.token, people.binding(firefox, "198.51.100.7")) is None
    assert people.resume(wb, session.token, people.binding("curl/8.5", "203.0.113.7")) is None
    assert people.resume(wb, session.token) is None  # a copy of the cookie, sent bare
    v6 = people.binding(firefox, "2001:db8:1:2::5")
    assert v6 == people.binding(firefox, "2001:db8:1:ffff::9") != people.binding(firefox, None)
    people.sign_out(team["lena"], session.token, here)
    assert people.resume(wb, session.token, here) is None


def test_wrong_current_passwords_are_limited_like_sign_in(wb, team):
    for _ in range(people.LOCKOUT_FAILURES):
        with pytest.raises(people.SignInError, match="current password is wrong"):
            people.change_password(team["lena"], "guess", "new-secret-1")
    with pytest.raises(people.SignInError, match="too many failed attempts"):
        people.change_password(team["lena"], "secret-pass", "new-secret-1")
    with pytest.raises(people.SignInError, match="too many failed attempts"):
        people.sign_in(wb, "lena", "secret-pass")  # one count for both


def test_deactivated_work_stays_attributed(wb, team, drafted):
    q = store.segment_queue(wb.db, drafted.id)[0]
    apply_action(
        team["lena"],
        {
            "type": "save",
            "segment_id": q["id"],
            "version": 1,
            "text": "by lena",
            "start": q["start"],
            "end": q["end"],
        },
        shown=q["id"],
    )
    people.set_active(team["olga"], team["lena"].actor.id, False)
    assert store.list_revisions(wb.db, q["id"])[-1].author == "lena"


def test_the_last_owner_cannot_be_demoted_or_deactivated(team):
    olga = team["olga"]
    with pytest.raises(WorkbenchError, match="at least one active owner"):
        people.set_role(olga, olga.actor.id, "labeler")
    with pytest.raises(WorkbenchError, match="at least one active owner"):
        people.set_active(olga, olga.actor.id, False)


def test_names_and_passwords_are_checked(team):
    for bad in ("", "A B", "../x", "x" * 41, "local", "<b>"):
        with pytest.raises(WorkbenchError):
            people.create_user(team["olga"], bad, "labeler")
    with pytest.raises(WorkbenchError, match="at least 8"):
        people.create_user(team["olga"], "short", "labeler", "1234567")
    with pytest.raises(WorkbenchError, match="taken"):
        people.create_user(team["olga"], "lena", "labeler")


@pytest.mark.parametrize("who", ["rita", "lena"])
def test_only_owners_manage_people(team, who):
    wb = team[who]
    target = team["otto"].actor.id
    for call in (
        lambda: people.create_user(wb, "newbie", "labeler"),
        lambda: people.list_users(wb),
        lambda: people.set_role(wb, target, "owner"),
        lambda: people.set_active(wb, target, False),
        lambda: people.reset_password(wb, target),
        lambda: people.audit_log(wb),
    ):
        with pytest.raises(Forbidden):
            call()


def test_a_labeller_sees_only_their_projects(wb, team, drafted):
    other = ensure_project(team["olga"], "secret project")
    assert [p.name for p in projects(team["lena"])] == ["demo"]
    assert [p.name for p in projects(team["otto"])] == []
    with pytest.raises(NotFound):
        open_project(team["lena"], other.id)
    with pytest.raises(NotFound, match="projects: demo"):
        get_project(team["lena"], "secret project")
    assert {p.name for p in projects(team["olga"])} == {"demo", "secret project"}


@pytest.mark.parametrize("who", ["rita", "lena"])
def test_labellers_and_reviewers_cannot_change_settings_export_or_create(
    team, drafted, who, tmp_path
):
    wb = team[who]
    with pytest.raises(Forbidden):
        update_settings(wb, drafted.id, guidelines="mine now")
    with pytest.raises(Forbidden):
        export_batch(wb, drafted, tmp_path / "out", status="any")
    with pytest.raises(Forbidden):
        past_exports(wb, drafted)
    with pytest.raises(Forbidden):
        ensure_project(wb, "new one")
    assert not (tmp_path / "out").exists()


def test_labellers_cannot_import_or_draft(team, drafted, tones):
    from workbench.drafts.draft_job import cancel_draft_job, start_draft_job
    from workbench.intake.audio_files import import_paths

    with pytest.raises(Forbidden):
        import_paths(team["lena"], drafted, tones)
    with pytest.raises(Forbidden):
        start_draft_job(team["lena"], drafted, {})
    with pytest.raises(Forbidden):
        cancel_draft_job(team["rita"], drafted)


def test_an_outsider_cannot_label(wb, team, drafted):
    q = store.segment_queue(wb.db, drafted.id)[0]
    out = apply_action(
        team["otto"],
        {
            "type": "save",
            "segment_id": q["id"],
            "version": 1,
            "text": "x",
            "start": q["start"],
            "end": q["end"],
        },
        shown=q["id"],
        beside=Beside(),
    )
    assert out.kind == "error" and "not a member" in out.message
    with pytest.raises(Forbidden):
        split_at(team["otto"], q["id"], 1, q["start"] + 0.3, "w0 x0")
    with pytest.raises(Forbidden):
        restore(team["otto"], q["id"], 1, 1)


def test_saves_and_settings_are_attributed_and_audited(wb, team, drafted):
    q = store.segment_queue(wb.db, drafted.id)[0]
    apply_action(
        team["rita"],
        {
            "type": "save",
            "segment_id": q["id"],
            "version": 1,
            "text": "by rita",
            "start": q["start"],
            "end": q["end"],
        },
        shown=q["id"],
    )
    assert store.list_revisions(wb.db, q["id"])[-1].author == "rita"
    update_settings(team["olga"], drafted.id, guidelines="Write numbers as words.")
    actions = [(e["actor"], e["action"]) for e in people.audit_log(team["olga"])]
    assert ("olga", "settings changed") in actions and ("olga", "members set") in actions
    assert ("olga", "user created") in actions and ("olga", "first owner") in actions
    assert ("rita", "save") in actions  # a save is in the log, with its segment
    seg = store.get_segment(wb.db, q["id"])
    reject(team["olga"], q["id"], seg.version, "other", "listen again")
    log = people.audit_log(team["olga"], project_id=drafted.id)
    assert (log[0]["actor"], log[0]["action"]) == ("olga", "review: reject")
    assert log[0]["detail"]["segment_id"] == q["id"]
    assert [line["at"] for line in log] == sorted((line["at"] for line in log), reverse=True)
    assert len(people.audit_log(team["olga"], limit=3)) == 3


def test_settings_refuse_server_paths(team, drafted, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\n")
    with pytest.raises(NotFound, match=r"no conventions profile named 'secret\.yaml'") as info:
        update_settings(team["olga"], drafted.id, conventions=str(secret))
    assert str(tmp_path) not in str(info.value)
    with pytest.raises(NotFound, match="no model"):
        update_settings(
            team["olga"], drafted.id, asr_engine="faster-whisper", asr_model="/etc/passwd"
        )
    with pytest.raises(WorkbenchError):
        ensure_project(team["olga"], "p", conventions="/etc/passwd")


def test_profiles_in_the_home_folder_are_offered(team, drafted, wb):
    from workbench.projects.settings import profile_choices, profile_label

    folder = wb.settings.profiles_dir
    folder.mkdir(parents=True)
    (folder / "house.yaml").write_text("extends: plain\nname: house\n")
    choice = next(c for c in profile_choices(wb) if c.endswith("house.yaml"))
    assert profile_label(choice) == "house.yaml"
    project = update_settings(team["olga"], drafted.id, conventions=choice)
    assert project.conventions == choice


def test_cli_acts_as_a_named_user(wb, team, drafted, home, capsys):
    from workbench.cli import main

    base = ["--home", str(home), "--db", wb.settings.db_url]
    assert main([*base, "--user", "lena", "status", "--project", "demo"]) == 0
    assert main([*base, "--user", "lena", "user", "list"]) == 2
    assert "may not manage accounts" in capsys.readouterr().err
    assert main([*base, "--user", "otto", "status", "--project", "demo"]) == 2
    assert main([*base, "--user", "ghost", "status", "--project", "demo"]) == 2
    assert "no active account named 'ghost'" in capsys.readouterr().err
    assert main([*base, "user", "add", "newbie", "--role", "reviewer"]) == 0
    assert "temporary password:" in capsys.readouterr().out
    assert main([*base, "members", "--project", "demo", "--set", "lena,newbie"]) == 0
    assert capsys.readouterr().out.split() == ["lena", "(labeler)", "newbie", "(reviewer)"]


def test_the_audit_csv_defuses_formulas_and_writes_nothing_when_refused(wb, team, home, capsys):
    from workbench.cli import main

    with pytest.raises(people.SignInError):
        people.sign_in(wb, "=cmd|' /c calc'!a0", "guess")  # needs no account
    base = ["--home", str(home), "--db", wb.settings.db_url]
    assert main([*base, "audit"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("at,actor,action,project_id,detail\n")
    assert "'=cmd|' /c calc'!a0" in out and ",=cmd" not in out and "\n=cmd" not in out
    assert main([*base, "--user", "lena", "audit"]) == 2
    refused = capsys.readouterr()
    assert refused.out == "" and "may not manage accounts" in refused.err


def test_the_first_account_is_an_owner(wb):
    """A labeller made first would switch sign-in on with no owner to manage anything."""
    from workbench.projects import people

    with pytest.raises(WorkbenchError, match="first account must be an owner"):
        people.create_user(wb, "lena", "labeler", "a-long-password-1")
    assert not people.accounts_exist(wb)
    people.create_user(wb, "olga", "owner", "a-long-password-1")
    people.create_user(wb, "lena", "labeler", "a-long-password-2")


def test_memberships_read_for_a_page_run_decide_until_the_next(wb, team, drafted):
    """A page run reads the actor's projects once (`with_memberships`): a membership ended
    meanwhile counts from the next run, as a workbench read afresh shows; a new actor
    (`as_user`) never inherits another's."""
    from workbench.core.access import require, visible_project_ids

    lena = team["lena"]
    run = lena.with_memberships(visible_project_ids(lena))
    assert run.member_of == {drafted.id}
    people.set_members(team["olga"], drafted.id, [team["rita"].actor.id])
    assert require(run, Action.LABEL, drafted.id).name == "lena"  # read before: this run
    with pytest.raises(Forbidden):
        require(lena, Action.LABEL, drafted.id)  # looked up
    with pytest.raises(Forbidden):
        next_run = lena.with_memberships(visible_project_ids(lena))
        require(next_run, Action.LABEL, drafted.id)
    assert run.as_user(team["otto"].actor).member_of is None
    with pytest.raises(Forbidden):
        require(run.as_user(team["otto"].actor), Action.VIEW, drafted.id)
