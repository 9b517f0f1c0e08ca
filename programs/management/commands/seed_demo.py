"""Load the demo data of every app. Idempotent: run it as often as you like."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

# Each module has seed(); the shared core first, the apps build on it.
SEEDERS = ["programs.demo", "inspections.demo", "guidance.demo", "workshops.demo"]


class Command(BaseCommand):
    help = "Load idempotent demo data: places of the articles, departments, enterprises, one account per role."

    def handle(self, *args, **options):
        for module_name in SEEDERS:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            result = module.seed()
            self.stdout.write(f"{module_name}: {self._summary(result)}")
        from programs.demo import DEMO_USERS

        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD}):"))
        for username, _role, _region, _department, description in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {description}")

    @staticmethod
    def _summary(result):
        if isinstance(result, dict):
            return ", ".join(f"{k}={v if not isinstance(v, list) else len(v)}" for k, v in result.items())
        return str(result)
