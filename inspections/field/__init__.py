"""The officers' field area (/field/): the week on a phone, one visit from showing the code to completion,
the re-inspections due, and what makes it work without signal (a web app manifest and a service worker)."""
