"""Load the demo data of every app. Idempotent: run it as often as you like."""

from django.conf import settings
from django.core.management.base import BaseCommand

from guidance import demo as guidance_demo
from inspections import demo as inspections_demo
from programs import demo as core_demo
from workshops import demo as workshops_demo

# The shared core first; the apps build on it (guidance uses the inspection item catalogue).
SEEDERS = [core_demo, inspections_demo, guidance_demo, workshops_demo]


class Command(BaseCommand):
    help = "Load idempotent demo data: places of the articles, departments, enterprises, one account per role."

    def handle(self, *args, **options):
        for module in SEEDERS:
            result = module.seed()
            self.stdout.write(f"{module.__name__}: {self._summary(result)}")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD}):"))
        for username, _role, _region, _department, description in core_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<16} {description}")

    @staticmethod
    def _summary(result):
        if isinstance(result, dict):
            return ", ".join(f"{k}={v if not isinstance(v, list) else len(v)}" for k, v in result.items())
        return str(result)
