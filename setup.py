"""Packaging beyond what pyproject.toml can say: the campaign files and holiday arrangements
kept at the top of the checkout (campaigns/, holidays/) ship inside the wheel as package data
(dossier.seed_campaigns, dossier.seed_holidays), so an installed copy runs without the checkout."""
from setuptools import find_packages, setup

DATA_PACKAGES = {"dossier.seed_campaigns": "campaigns", "dossier.seed_holidays": "holidays"}

setup(packages=find_packages(include=["dossier*", "services*", "workers*", "storage*"]) + list(DATA_PACKAGES),
      package_dir=DATA_PACKAGES)
