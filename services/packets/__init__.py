"""Packets: a campaign's compiled dossiers and 汇总表, built by the workers, started and downloaded here."""
