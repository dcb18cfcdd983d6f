"""`ghostcart monitor …`, `keys …`, `db init`, `doctor`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import console, money, print_json, runtime, settings, table, txt, when

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

monitor = typer.Typer(no_args_is_help=True)
keys = typer.Typer(no_args_is_help=True)
db = typer.Typer(no_args_is_help=True)


# ---- monitor -------------------------------------------------------------------------------------

def _job_dict(j) -> dict:
    return {"job_id": j.job_id, "intent_mandate_id": j.intent_mandate_id, "product_query": j.product_query,
            "max_price_cents": j.max_price_cents, "max_total_cents": j.max_total_cents,
            "max_delivery_days": j.max_delivery_days, "status": j.status, "interval_minutes": j.interval_minutes,
            "last_check_at": j.last_check_at, "last_result": j.last_result, "last_price_cents": j.last_price_cents,
            "next_check_at": j.next_check_at, "expires_at": j.expires_at, "created_at": j.created_at,
            "transaction_id": j.transaction_id}


@monitor.command("list")
def monitor_list(ctx: typer.Context,
                 active: Annotated[bool, typer.Option("--active", help="Only jobs still watching.")] = False,
                 as_json: JsonOpt = False) -> None:
    """Monitoring jobs (signed intents being watched), newest first."""
    from ..services.monitoring import list_jobs

    with runtime(ctx) as rt:
        jobs = list_jobs(rt, live_only=active)
    if as_json:
        print_json([_job_dict(j) for j in jobs])
        return
    if not jobs:
        console().print("No monitoring jobs.")
        return
    t = table("job", "watching", "max price", "status", "last check", "next check", "expires",
              no_wrap=("job", "max price"))
    for j in jobs:
        t.add_row(txt(j.job_id), txt(j.product_query), money(j.max_price_cents),
                  txt(j.status, "cyan" if j.active else ""), txt(j.last_result or "—"),
                  when(j.next_check_at) if j.active else "—", when(j.expires_at))
    console().print(t)


@monitor.command("cancel")
def monitor_cancel(ctx: typer.Context, job_id: Annotated[str, typer.Argument(help="A monitoring job id.")]) -> None:
    """Stop watching; the intent will never buy."""
    from ..services.monitoring import cancel

    with runtime(ctx) as rt:
        j = cancel(rt, job_id)
    console().print(txt(f"cancelled {j.job_id} ({j.product_query})"))


@monitor.command("run")
def monitor_run(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Run the checks that are due now, then exit.")] = False,
    every: Annotated[int, typer.Option("--every", min=5, help="Seconds between sweeps.")] = 60,
) -> None:
    """Run monitoring headless (holds the lease so only one process checks); Ctrl-C stops."""
    import asyncio

    from ..services.scheduler import Monitor

    out = console()

    def on_report(r) -> None:
        out.print(txt(f"{when(rt.clock.now())} checked {r.checked}, matched {r.matched}, "
                      f"purchased {r.purchased}, expired {r.expired}"))
        for e in r.events:
            d = e.to_dict()
            out.print(txt("  " + ", ".join(f"{k}={v}" for k, v in d.items()), "dim"))

    with runtime(ctx) as rt:
        mon = Monitor(rt, kind="cli", on_report=on_report, sweep_seconds=every)
        if once:
            # A failure (keys that cannot be opened, a write failure) exits non-zero saying what
            # failed; run_once releases the lease and any claim first.
            from ..services.monitoring import MonitoringBusy, run_once

            try:
                on_report(run_once(rt, mon.holder))
            except MonitoringBusy as busy:
                out.print(txt(str(busy), "yellow"))
            return

        async def forever() -> None:
            mon.start()
            out.print(txt(f"monitoring every {every}s as {mon.holder}; Ctrl-C stops", "bold"))
            try:
                await asyncio.Event().wait()
            finally:
                mon.stop()

        try:
            asyncio.run(forever())
        except KeyboardInterrupt:
            out.print("stopped")


# ---- keys ----------------------------------------------------------------------------------------

@keys.command("show")
def keys_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The signing keys on disk: role, owner, kid and fingerprint."""
    from ..services.diagnostics import keys_status

    st = keys_status(settings(ctx))
    if as_json:
        print_json(st)
        if st.user is not None and st.user.mismatch:
            raise typer.Exit(1)
        return
    out = console()
    out.print(txt(f"key directory: {st.directory}"))
    if not st.keys:
        out.print("No keys yet (they are created on first use, or by `ghostcart db init`).")
    else:
        t = table("role", "owner", "fingerprint", "kid", no_wrap=("role", "fingerprint"))
        for k in st.keys:
            t.add_row(txt(k.role), txt(k.owner), txt(k.fingerprint), txt(k.kid))
        out.print(t)
    for p in st.unreadable:
        out.print(txt(f"unreadable key file: {p}", "red"))
    _print_user_key(out, st.user, indent="")
    if st.user is not None and st.user.mismatch:
        raise typer.Exit(1)


def _user_key_line(u) -> str:
    if u.storage == "keyring":
        how = "in the OS keyring" + (", passphrase-encrypted too" if u.encrypted else "")
    elif not u.exists:
        how = "a file, not created yet"
    else:
        how = "a passphrase-encrypted file" if u.encrypted else "a file, NOT encrypted"
    return f"{u.user_id}'s key: {how} — {u.location}"


def _user_key_dict(u) -> dict | None:
    if u is None:
        return None
    return {"user_id": u.user_id, "storage": u.storage, "location": u.location, "exists": u.exists,
            "encrypted": u.encrypted, "kid": u.kid, "signed_kids": u.signed_kids,
            "latest_signed_kid": u.latest_signed_kid, "mismatch": u.mismatch, "warnings": u.warnings}


def _print_user_key(out, u, indent: str = "  ") -> None:
    if u is None:
        return
    protected = u.storage == "keyring" or u.encrypted or not u.exists
    out.print(txt(f"{indent}{'✓' if protected else '!'} {_user_key_line(u)}", "green" if protected else "yellow"))
    for w in u.warnings:
        out.print(txt(f"{indent}{'✗' if u.mismatch and 'signed none' in w else '!'} {w}",
                      "red" if u.mismatch and "signed none" in w else "yellow"))


@keys.command("move-to-keyring")
def keys_move_to_keyring(ctx: typer.Context) -> None:
    """Move the shopper's key file into the OS keyring (same key: signed mandates keep verifying).
    Set GHOSTCART_KEY_STORAGE=keyring too, so no new key file is ever created."""
    from ..ap2.keys import KeyStore

    s = settings(ctx)
    store = KeyStore(s.keys_dir, s.key_passphrase, storage="keyring")
    loc = store.move_user_key_to_keyring(s.user_id)
    console().print(txt(f"{s.user_id}'s key is now in the OS keyring (entry {loc.entry!r}); "
                        f"{loc.path.name} in the key folder names it", "green"))


@keys.command("export")
def keys_export(ctx: typer.Context,
                output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file "
                                                            "instead of stdout.", dir_okay=False)] = None) -> None:
    """The public JWKs (JWKS JSON), to verify exported chains elsewhere. No private key leaves."""
    with runtime(ctx) as rt:
        jwks = rt.keys.public_jwks()
    text = json.dumps(jwks, indent=2)
    if output is None:
        typer.echo(text)
        return
    from ..core.private_files import write_private

    write_private(output, text + "\n")
    console().print(txt(f"wrote {len(jwks['keys'])} public keys to {output}"))


# ---- db ------------------------------------------------------------------------------------------

@db.command("init")
def db_init(ctx: typer.Context) -> None:
    """Create (or migrate) the database, seed the demo catalog and create the signing keys."""
    with runtime(ctx) as rt:
        rt.keys.user_key(rt.user_id)
        rt.keys.agent_key()
        rt.keys.merchant_key()
        version = rt.db.schema_version
        path = rt.db.path
    console().print(txt(f"database ready: {path} (schema version {version})", "green"))


# ---- doctor --------------------------------------------------------------------------------------

def doctor(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    from ..services.diagnostics import aws_credentials_source, db_status, exposed_files, keys_status

    s = settings(ctx)
    shown = {
        "model_provider": s.model_provider, "aws_region": s.aws_region,
        "aws_bedrock_model_id": s.aws_bedrock_model_id, "data_home": str(s.data_home), "db_path": str(s.db_path),
        "user_id": s.user_id, "processor": s.processor, "seed": s.seed,
        "monitor_interval_minutes": s.monitor_interval_minutes, "monitor_expiry_days": s.monitor_expiry_days,
        "fraud_threshold_cents": s.fraud_threshold_cents, "log_level": s.log_level, "log_path": str(s.log_path),
        "key_passphrase": "set" if s.key_passphrase else "not set", "key_storage": s.key_storage,
    }
    creds_ok, creds_how = aws_credentials_source()
    try:
        from ..agents.provider import choose

        choice = choose(s)
        provider = {"provider": choice.provider, "label": choice.label, "reason": choice.reason}
    except ImportError:
        want = s.model_provider
        chosen = want if want != "auto" else ("bedrock" if creds_ok else "offline")
        provider = {"provider": chosen, "label": chosen,
                    "reason": f"{want} requested" if want != "auto" else f"auto: AWS credentials {creds_how}"}
    dbs = db_status(s)
    ks = keys_status(s)
    report = {
        "settings": shown, "model": provider, "aws_credentials": {"resolved": creds_ok, "detail": creds_how},
        "database": {"path": str(dbs.path), "exists": dbs.exists, "schema_version": dbs.schema_version,
                     "code_schema_version": dbs.code_schema_version, "problem": dbs.problem},
        "keys": {"directory": str(ks.directory), "kids": [k.kid for k in ks.keys],
                 "keys": [{"role": k.role, "owner": k.owner, "kid": k.kid, "fingerprint": k.fingerprint}
                          for k in ks.keys],
                 "unreadable": [str(p) for p in ks.unreadable], "problem": ks.problem,
                 "user_key": _user_key_dict(ks.user)},
        "exposed_files": exposed_files(s),
    }
    ok = dbs.problem is None and ks.problem is None and not ks.unreadable and not (ks.user and ks.user.mismatch)
    report["ok"] = ok
    if as_json:
        print_json(report)
    else:
        out = console()
        out.print(txt("Settings in effect", "bold"))
        for k, v in shown.items():
            out.print(txt(f"  {k:>24}: ").append_text(txt(v)))
        out.print(txt("Model", "bold"))
        out.print(txt(f"  {provider['provider']} — {provider['label']} ({provider['reason']})"))
        out.print(txt("AWS credentials", "bold"))
        out.print(txt(f"  {'✓' if creds_ok else '✗'} {creds_how}", "green" if creds_ok else "yellow"))
        out.print(txt("Database", "bold"))
        if dbs.problem:
            out.print(txt(f"  ✗ {dbs.problem}", "red"))
        elif not dbs.exists:
            out.print(txt(f"  {dbs.path}: not created yet (`ghostcart db init` or first use creates it)"))
        else:
            out.print(txt(f"  ✓ {dbs.path} (schema version {dbs.schema_version}, this GhostCart "
                          f"{dbs.code_schema_version})", "green"))
        out.print(txt("Keys", "bold"))
        if ks.problem:
            out.print(txt(f"  ✗ {ks.problem}", "red"))
        elif not ks.keys:
            out.print(txt(f"  {ks.directory}: no keys yet"))
        for key in ks.keys:
            out.print(txt(f"  ✓ {key.role:<8} {key.kid}  ({key.owner})", "green"))
        for p in ks.unreadable:
            out.print(txt(f"  ✗ unreadable key file {p}", "red"))
        _print_user_key(out, ks.user)
        out.print(txt("Files", "bold"))
        exposed: list[str] = list(report["exposed_files"])  # type: ignore[call-overload]
        if exposed:
            for name in exposed:
                out.print(txt(f"  ! open to other users: {name}", "yellow"))
            out.print(txt("    (GhostCart makes them 0600, folders 0700, the next time it opens them)", "dim"))
        else:
            out.print(txt("  ✓ the data folder, database, log and keys are private to you", "green"))
    if not ok:
        raise typer.Exit(1)
