"""Command palette (Ctrl+P): new conversation, simulate the world changing, export a chain,
show keys, switch the payment processor's mode."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..core.money import format_cents, percent_of
from .safe import safe_str

PRICE_DROP_BP = 2000  # 20 %


class GhostCartCommands(Provider):
    async def startup(self) -> None:
        self._commands: list[tuple[str, object, str]] = []
        app = self.app
        rt = app.rt
        cmds = [
            ("New conversation", app.action_new_conversation, "Forget the chat and start over"),
            ("Check now: run every live watch", app.action_check_now,
             "Check every active monitoring job at once instead of waiting for its next check"),
            ("Export chain of the highlighted order", app.action_export_chain,
             "Write the AP2 mandate chain and its public keys to a JSON file"),
            ("Show signing keys", app.action_show_keys, "kid and fingerprint of the user, agent and merchant keys"),
        ]
        for mode in ("realistic", "approve_all"):
            cmds.append((f"Processor mode: {mode}", partial(app.set_processor_mode, mode),
                         "realistic: ~90% approvals with decline reasons; approve_all: every payment approved"))
        products = []
        if rt is not None:  # None while the app is still opening the database
            try:
                from ..services import tui_queries

                products = tui_queries.all_products(rt)
            except Exception:
                products = []
        for p in products:
            name = safe_str(p.name, newlines=False)
            new = p.price_cents - percent_of(p.price_cents, PRICE_DROP_BP)
            cmds.append((f"Simulate price drop: {name} → {format_cents(new)}",
                         partial(app.simulate_price, p.product_id, new),
                         f"{p.product_id} now costs {format_cents(p.price_cents)}"))
            cmds.append((f"Simulate stock change: {name} → {'out of stock' if p.in_stock else 'in stock'}",
                         partial(app.simulate_stock, p.product_id, not p.in_stock), p.product_id))
        self._commands = cmds

    async def discover(self) -> Hits:
        for name, cb, help_text in self._commands[:8]:
            yield DiscoveryHit(name, cb, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, cb, help_text in self._commands:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cb, text=name, help=help_text)
