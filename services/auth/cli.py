"""`dossier user add|list|disable|enable|token`: accounts from the command line."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from dossier.settings import Settings


def add_user_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="accounts: add, list, disable / 账号管理")
    us = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    a = us.add_parser("add", help="create an account / 新建账号")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=["unit", "recommender", "reviewer", "operator", "admin"])
    a.add_argument("--name", default="", help="display name / 姓名")
    a.add_argument("--organisation", help="unit or recommender organisation / 所属单位")
    a.add_argument("--campaign", help="campaign id the reviewer works on / 评选活动")
    a.add_argument("--stage", help="reviewer's stage id / 审核环节")
    a.add_argument("--department", help="joint review department / 联审部门")
    a.add_argument("--recommender", help="a unit's recommender, from the campaign's list (needs --campaign) "
                                         "/ 申报单位的推荐单位（须在名单中）")
    a.add_argument("--applicant-kind", help="a unit's applicant kind (yueyang: 创建的对象) / 创建对象类别")
    a.add_argument("--email", help="where notifications are emailed (else the inbox only) / 接收通知的邮箱")
    a.add_argument("--county", help="a reviewer's county, or `city` (本地联审) / 审核人员所属县（市、区）")
    a.add_argument("--password-env", default="DOSSIER_NEW_PASSWORD",
                   help="read the password from this variable (else prompt) / 从环境变量读取密码")
    us.add_parser("list", help="list accounts / 列出账号")
    for name, text in (("disable", "disable an account / 停用账号"), ("enable", "enable an account / 启用账号")):
        d = us.add_parser(name, help=text)
        d.add_argument("username")
    e = us.add_parser("email", help="set or clear where notifications are emailed / 设置接收通知的邮箱")
    e.add_argument("username")
    e.add_argument("address", nargs="?", default="", help="empty: the inbox only / 留空则只在系统内提醒")
    t = us.add_parser("token", help="issue an API token for scripts / 生成接口令牌")
    t.add_argument("username")
    t.add_argument("--name", default=None, help="the token's name (default: script) / 令牌名称")
    t.add_argument("--revoke", action="store_true",
                   help="revoke the account's tokens (only those named --name when given) / 吊销该账号的接口令牌")


def run_user(args: argparse.Namespace, settings: Settings) -> int:
    from services.auth import accounts
    from services.submissions import DomainError
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                return _dispatch(args, session, accounts)
            except DomainError as e:
                print(f"{e.detail or e.code} / {e.message}", file=sys.stderr)
                return 1
    finally:
        engine.dispose()


def _email(address: str | None) -> str | None:
    """The --email value checked before the account is made (a malformed one makes none)."""
    from services.submissions import InvalidInput
    from storage.notifications import checked_email

    try:
        return checked_email(address or "")
    except ValueError as e:
        raise InvalidInput(str(e), f"malformed email address {address!r}") from None


def _dispatch(args: argparse.Namespace, session: object, accounts: object) -> int:
    acc = accounts  # module
    if args.user_command == "add":
        email = _email(args.email)
        password = os.environ.get(args.password_env) or getpass.getpass("password / 密码: ")
        u = acc.create_user(session, username=args.username, password=password, role=args.role,  # type: ignore[attr-defined]
                            display_name=args.name, organisation=args.organisation,
                            campaign_id=args.campaign, stage_id=args.stage, department=args.department,
                            recommender=args.recommender, applicant_kind=args.applicant_kind, county=args.county)
        if email:
            u.email = email
            session.commit()  # type: ignore[attr-defined]
        print(f"created {u.username} ({u.role}) / 已创建账号")
    elif args.user_command == "list":
        for u in acc.list_users(session):  # type: ignore[attr-defined]
            state = "active" if u.active else "disabled"
            print("\t".join([u.username, u.role, u.organisation or "-", u.stage_id or "-",
                             u.department or "-", state]))
    elif args.user_command in ("disable", "enable"):
        u = acc.set_active(session, args.username, args.user_command == "enable")  # type: ignore[attr-defined]
        print(f"{u.username} {'enabled / 已启用' if u.active else 'disabled / 已停用'}")
    elif args.user_command == "email":
        u = acc.find_user(session, args.username)  # type: ignore[attr-defined]
        if u is None:
            print(f"no user {args.username} / 没有此账号", file=sys.stderr)
            return 1
        u.email = _email(args.address)
        session.commit()  # type: ignore[attr-defined]
        print(f"{u.username}: {u.email or 'no email, inbox only'} / 邮箱已更新")
    elif args.user_command == "token":
        u = acc.find_user(session, args.username)  # type: ignore[attr-defined]
        if u is None:
            print(f"no user {args.username} / 没有此账号", file=sys.stderr)
            return 1
        if args.revoke:
            n = acc.revoke_tokens(session, u, name=args.name)  # type: ignore[attr-defined]
            print(f"revoked {n} token(s) of {u.username} / 已吊销 {n} 个接口令牌")
            return 0
        print(acc.issue_token(session, u, args.name or "script"))  # type: ignore[attr-defined]
    return 0
