"""Forms for halls, booths, applications, staff invitations and leads."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from .models import FOLLOW_UP_LABELS, KIND_LABELS


class HallForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)],
                       description="e.g. Hall 1")
    width_m = DecimalField("Width (m)", places=2,
                           validators=[DataRequired(), NumberRange(min=Decimal("1"),
                                                                   max=Decimal("1000"))])
    depth_m = DecimalField("Depth (m)", places=2,
                           validators=[DataRequired(), NumberRange(min=Decimal("1"),
                                                                   max=Decimal("1000"))])
    position = IntegerField("Order", default=0, validators=[Optional()])


class HallEditForm(HallForm):
    background = FileField("Background drawing",
                           description="Optional: the venue's plan of this hall as PNG, JPEG or "
                                       "WebP (up to 8 MB), stretched to the hall's size under "
                                       "the booths.")
    remove_background = BooleanField("Remove the background drawing")


class PackageForm(FlaskForm):
    name = StringField("Package", validators=[DataRequired(), Length(max=80)],
                       description="e.g. Standard shell scheme")
    staff_badges = IntegerField("Staff badges included", default=2,
                                validators=[DataRequired(message="How many badges?"),
                                            NumberRange(min=0, max=500)])
    description = StringField("What it includes", validators=[Optional(), Length(max=300)])


class BoothForm(FlaskForm):
    hall = SelectField("Hall", choices=[], coerce=int)
    code = StringField("Code", validators=[DataRequired(), Length(max=16)],
                       description="e.g. A-12")
    x_m = DecimalField("From the left wall (m)", places=2,
                       validators=[InputRequired(message="Give the position."),
                                   NumberRange(min=Decimal("0"))])
    y_m = DecimalField("From the front wall (m)", places=2,
                       validators=[InputRequired(message="Give the position."),
                                   NumberRange(min=Decimal("0"))])
    width_m = DecimalField("Width (m)", places=2,
                           validators=[DataRequired(), NumberRange(min=Decimal("0.5"))])
    depth_m = DecimalField("Depth (m)", places=2,
                           validators=[DataRequired(), NumberRange(min=Decimal("0.5"))])
    kind = SelectField("Type", choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    price = DecimalField("Price", places=2, default=Decimal("0"),
                         validators=[Optional(), NumberRange(min=Decimal("0"))])
    package = SelectField("Package", choices=[], coerce=int)
    blocked = BooleanField("Blocked (not for sale)")
    note = StringField("Note", validators=[Optional(), Length(max=200)],
                       description="Shown to organisers only, e.g. “pillar at the back”.")


class ExhibitorForm(FlaskForm):
    name = StringField("Company or organisation", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What you will show", validators=[Optional(), Length(max=3000)],
                                render_kw={"rows": 5})
    website = URLField("Website", validators=[Optional(), Length(max=300)],
                       description="https://…")
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    contact_email = EmailField("Contact e-mail for visitors",
                               validators=[Optional(), Email(), Length(max=254)])
    sectors = SelectMultipleField("Sectors", choices=[],
                                  description="Hold Ctrl (⌘ on a Mac) to choose several.")
    pillars = SelectMultipleField("Pillars you serve", choices=[])
    logo = FileField("Logo", description="PNG, JPEG or WebP, up to 2 MB and 4000 pixels a side.")


class ReviewForm(FlaskForm):
    decision = StringField(validators=[DataRequired()])  # the pressed button's value
    note = StringField("Note to the exhibitor", validators=[Optional(), Length(max=500)])


class AssignBoothForm(FlaskForm):
    booth = SelectField("Free booth", choices=[], coerce=int)


class MarkPaidForm(FlaskForm):
    note = StringField("Payment note", validators=[Optional(), Length(max=200)],
                       description="e.g. bank transfer reference")


class InviteStaffForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])


class ScanCodeForm(FlaskForm):
    code = StringField("Badge code", validators=[DataRequired(), Length(max=2000)],
                       description="Paste or type the text of the visitor's QR code.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 2})
    rating = SelectField("Rating", choices=[SelectChoice("", "—")] + [
        SelectChoice(str(i), "★" * i if i else "0") for i in range(6)],
        validators=[Optional()])


class LeadForm(FlaskForm):
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)],
                          render_kw={"rows": 5})
    rating = SelectField("Rating (0–5)", choices=[SelectChoice("", "Not rated")] + [
        SelectChoice(str(i), f"{i} – " + "★" * i if i else "0") for i in range(6)],
        validators=[Optional()])
    tags = StringField("Tags", validators=[Optional(), Length(max=500)],
                       description="Separated by commas, e.g. hot, pilot, smart-parking.")
    follow_up = SelectField("Follow-up", choices=[SelectChoice(k.value, v)
                                                  for k, v in FOLLOW_UP_LABELS.items()])
