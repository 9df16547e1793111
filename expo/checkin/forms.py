"""Forms for gates, staff assignments and scanner devices."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

CODE = Regexp(r"^[a-z0-9][a-z0-9-]{0,31}$",
              message="Lower-case letters, digits and dashes, e.g. main-hall.")


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GateForm(FlaskForm):
    name = StringField("Gate name", validators=[DataRequired(), Length(max=120)],
                       description="What staff see, e.g. “Hall A north entrance”.")
    code = StringField("Gate code", validators=[DataRequired(), CODE],
                       description="Used by scanners and the API, e.g. hall-a-north.")
    zone_code = StringField("Zone code", validators=[DataRequired(), CODE],
                            description="Gates of one zone share it, e.g. main-hall.",
                            render_kw={"list": "zone-codes", "autocomplete": "off"})
    zone_name = StringField("Zone name", validators=[DataRequired(), Length(max=120)],
                            description="e.g. Main hall, VIP lounge, Site visit bus 1.")
    admitted = CheckboxList("Pass types admitted", coerce=int, validators=[Optional()],
                            description="Changes which zones those pass types open.")
    hours = TextAreaField("Opening hours", validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 4, "placeholder": "all 08:30-18:00\n"
                                                               "2025-09-19 08:30-15:00"},
                          description="One window per line, event time. Empty: always open.")
    allow_reentry = BooleanField("Allow re-entry",
                                 description="Otherwise a badge enters through this gate once.")
    scan_exits = BooleanField("Scan exits",
                              description="Staff also scan people leaving: counts who is inside.")
    active = BooleanField("Open for scanning", default=True)


class AssignStaffForm(FlaskForm):
    email = EmailField("Staff e-mail", validators=[DataRequired(), Email(), Length(max=254)])


class DeviceForm(FlaskForm):
    name = StringField("Device name", validators=[DataRequired(), Length(max=100)],
                       description="e.g. Hall A turnstile 1, Bus 1 tablet.")
    gate = SelectField("Locked to gate", validators=[Optional()])
