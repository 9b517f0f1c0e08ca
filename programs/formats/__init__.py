"""This project's corrections to Django's locale formats (FORMAT_MODULE_PATH); anything not named here is
Django's own."""
