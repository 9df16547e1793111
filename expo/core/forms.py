"""Forms for accounts, events and roles."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ..timeutil import is_time_zone
from .models import EventStatus, Role
from .services import MIN_PASSWORD_LENGTH

PASSWORD_HELP = f"At least {MIN_PASSWORD_LENGTH} characters."
SAME_PASSWORD = EqualTo("password", "The passwords differ.")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in on this device")


class SignupForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    password = PasswordField("Password", description=PASSWORD_HELP,
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField("Repeat password",
                            validators=[DataRequired(), SAME_PASSWORD])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", description=PASSWORD_HELP,
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), SAME_PASSWORD])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", description=PASSWORD_HELP,
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), SAME_PASSWORD])


class ProfileForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What the token is for, e.g. “ministry delegate sync”.")
    event = SelectField("Limit to event", choices=[], validate_choice=True,
                        description="A token limited to one event cannot touch any other.")


def _time_zone_check(_form, field):
    if not is_time_zone(field.data or ""):
        raise ValidationError("Give an IANA time zone, e.g. Asia/Kuala_Lumpur.")


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    tagline = StringField("Tagline", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional()],
                                render_kw={"rows": 5})
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    time_zone = StringField("Time zone", default="Asia/Kuala_Lumpur",
                            validators=[DataRequired(), _time_zone_check])
    starts_on = DateField("First day", validators=[DataRequired()])
    ends_on = DateField("Last day", validators=[DataRequired()])
    currency = StringField("Currency", default="MYR",
                           validators=[DataRequired(),
                                       Regexp(r"^[A-Z]{3}$",
                                              message="Three capital letters, e.g. MYR.")])
    status = SelectField("Status",
                         choices=[SelectChoice(s.value, s.value.title()) for s in EventStatus])
    themes = TextAreaField("Themes / pillars", validators=[Optional()], render_kw={"rows": 4},
                           description="One per line.")
    website = URLField("Website", validators=[Optional(), Length(max=300)])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first day.")


class NewEventForm(EventForm):
    slug = StringField("Slug", validators=[DataRequired(), Length(max=64),
                                           Regexp(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$",
                                                  message="Lower-case letters, digits, hyphens.")],
                       description="Short name used in addresses, e.g. scekl25.")


class GrantRoleForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email()])
    full_name = StringField("Full name (for a new account)", validators=[Optional(),
                                                                         Length(max=200)])
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])
