"""Django's password forms, saving through ``services.user_password_change`` so that every password change
(the user's own at /accounts/password_change/, a reset link, an administrator's in the admin) revokes the
user's API tokens."""

from django.contrib.auth import forms as auth_forms

from . import services


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return services.user_password_change(user=self.user, password=self.cleaned_data["new_password1"])


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The form a password-reset link opens."""

    def save(self, commit=True):
        return services.user_password_change(user=self.user, password=self.cleaned_data["new_password1"])


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "change password" page, which can also turn password sign-in off."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return services.user_password_change(user=self.user, password=password)
