"""`dossier user add|list|disable|enable|email|token`: accounts from the command line."""
from __future__ import annotations

import getpass
import os
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any, Iterator

import typer

from .common import Command, db_session, new_app, say


class Role(str, Enum):
    """The roles an account can have (one each)."""
    unit = "unit"
    recommender = "recommender"
    reviewer = "reviewer"
    operator = "operator"
    admin = "admin"


User = Annotated[str, typer.Argument(metavar="USERNAME")]


def register(app: typer.Typer) -> None:
    users = new_app(help="accounts: add, list, disable / 账号管理", options_metavar="[OPTIONS]",
                    subcommand_metavar="ACTION [ARGS]...")
    for name, fn, text in (("add", add, "create an account / 新建账号"), ("list", list_users, "list accounts / 列出账号"),
                           ("disable", disable, "disable an account / 停用账号"),
                           ("enable", enable, "enable an account / 启用账号"),
                           ("email", email, "set or clear where notifications are emailed / 设置接收通知的邮箱"),
                           ("token", token, "issue an API token for scripts / 生成接口令牌")):
        users.command(name, cls=Command, help=text)(fn)
    app.add_typer(users, name="user")


@contextmanager
def _accounts(ctx: typer.Context) -> Iterator[tuple[Any, Any]]:
    """A session and the accounts module."""
    from services.auth import accounts

    with db_session(ctx) as (_, session):
        yield session, accounts


def _email(address: str | None) -> str | None:
    """The --email value checked before the account is made (a malformed one makes none)."""
    from services.kit.errors import InvalidInput
    from storage.notifications import checked_email

    try:
        return checked_email(address or "")
    except ValueError as e:
        raise InvalidInput(str(e), f"malformed email address {address!r}") from None


def add(ctx: typer.Context, username: User,
        role: Annotated[Role, typer.Option()],
        name: Annotated[str, typer.Option(help="display name / 姓名")] = "",
        organisation: Annotated[str | None, typer.Option(help="unit or recommender organisation / 所属单位")] = None,
        campaign: Annotated[str | None, typer.Option(help="campaign id the reviewer works on / 评选活动")] = None,
        stage: Annotated[str | None, typer.Option(help="reviewer's stage id / 审核环节")] = None,
        department: Annotated[str | None, typer.Option(help="joint review department / 联审部门")] = None,
        recommender: Annotated[str | None, typer.Option(
            help="a unit's recommender, from the campaign's list (needs --campaign) / 申报单位的推荐单位（须在名单中）")] = None,
        applicant_kind: Annotated[str | None, typer.Option(
            help="a unit's applicant kind (yueyang: 创建的对象) / 创建对象类别")] = None,
        email: Annotated[str | None, typer.Option(
            help="where notifications are emailed (else the inbox only) / 接收通知的邮箱")] = None,
        county: Annotated[str | None, typer.Option(
            help="a reviewer's county, or `city` (本地联审) / 审核人员所属县（市、区）")] = None,
        password_env: Annotated[str, typer.Option(
            help="read the password from this variable (else prompt) / 从环境变量读取密码")] = "DOSSIER_NEW_PASSWORD",
        ) -> int:
    with _accounts(ctx) as (session, acc):
        address = _email(email)
        password = os.environ.get(password_env) or getpass.getpass("password / 密码: ")
        u = acc.create_user(session, username=username, password=password, role=role.value, display_name=name,
                            organisation=organisation, campaign_id=campaign, stage_id=stage, department=department,
                            recommender=recommender, applicant_kind=applicant_kind, county=county)
        if address:
            u.email = address
            session.commit()
        print(f"created {u.username} ({u.role}) / 已创建账号")
    return 0


def list_users(ctx: typer.Context) -> int:
    with _accounts(ctx) as (session, acc):
        for u in acc.list_users(session):
            state = "active" if u.active else "disabled"
            print("\t".join([u.username, u.role, u.organisation or "-", u.stage_id or "-",
                             u.department or "-", state]))
    return 0


def _set_active(ctx: typer.Context, username: str, active: bool) -> int:
    with _accounts(ctx) as (session, acc):
        u = acc.set_active(session, username, active)
        print(f"{u.username} {'enabled / 已启用' if u.active else 'disabled / 已停用'}")
    return 0


def disable(ctx: typer.Context, username: User) -> int:
    return _set_active(ctx, username, False)


def enable(ctx: typer.Context, username: User) -> int:
    return _set_active(ctx, username, True)


def _find(session: Any, acc: Any, username: str) -> Any:
    u = acc.find_user(session, username)
    if u is None:
        say(f"no user {username} / 没有此账号")
        raise typer.Exit(1)
    return u


def email(ctx: typer.Context, username: User,
          address: Annotated[str, typer.Argument(help="empty: the inbox only / 留空则只在系统内提醒")] = "") -> int:
    with _accounts(ctx) as (session, acc):
        u = _find(session, acc, username)
        u.email = _email(address)
        session.commit()
        print(f"{u.username}: {u.email or 'no email, inbox only'} / 邮箱已更新")
    return 0


def token(ctx: typer.Context, username: User,
          name: Annotated[str | None, typer.Option(help="the token's name (default: script) / 令牌名称")] = None,
          revoke: Annotated[bool, typer.Option(
              "--revoke", help="revoke the account's tokens (only those named --name when given) / 吊销该账号的接口令牌")
          ] = False) -> int:
    with _accounts(ctx) as (session, acc):
        u = _find(session, acc, username)
        if revoke:
            n = acc.revoke_tokens(session, u, name=name)
            print(f"revoked {n} token(s) of {u.username} / 已吊销 {n} 个接口令牌")
            return 0
        print(acc.issue_token(session, u, name or "script"))
    return 0
