"""The campaign's review flow as pure rules: stages and their order (`engine`), who may apply and
recommend (`applicants`), working days and 公示 (`calendar`), due dates per stage (`deadlines`).

Nothing here touches the database or the broker; `workers/routing/yearly.py` opens the yearly
re-inspection tasks and `services/review/` moves submissions through these stages."""
