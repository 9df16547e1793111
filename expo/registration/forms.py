"""Forms: pass types, attendee details, vouchers, questions, settings, import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from .models import QuestionKind, Visibility, VoucherKind


class PassTypeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{1,32}$",
                       message="Letters, digits, '-' and '_' only.")],
                       description="Short and stable, e.g. DELEGATE or GOV.")
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional()])
    price = StringField("Price (e.g. 350.00; 0 = free)", default="0",
                        validators=[DataRequired(), Regexp(r"^\d{1,7}(\.\d{1,2})?$",
                                                           message="A price like 350 or 350.00")])
    currency = StringField("Currency", default="MYR", validators=[DataRequired(),
                                                                  Regexp(r"^[A-Z]{3}$")])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=0)],
                            description="Leave empty for unlimited.")
    sales_start = DateTimeLocalField("Sales start (event time)", format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    sales_end = DateTimeLocalField("Sales end (event time)", format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])
    visibility = SelectField("Visibility", choices=[
        SelectChoice(Visibility.PUBLIC.value, "Public"),
        SelectChoice(Visibility.HIDDEN.value, "Hidden (direct link only)"),
        SelectChoice(Visibility.INVITE.value, "Invite only (secret link)")])
    requires_approval = BooleanField("Needs approval (government officials, media)")
    badge_colour = StringField("Badge colour", default="#0B5D7A",
                               validators=[DataRequired(), Regexp(r"^#[0-9A-Fa-f]{6}$",
                                                                  message="Like #0B5D7A")])
    zones = StringField("Zones it opens", validators=[Optional()],
                        description="Check-in zone codes separated by commas, e.g. "
                                    "main-hall, plenary, vip.")


class AttendeeForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    voucher = StringField("Voucher code", validators=[Optional(), Length(max=40)])
    share_contact = BooleanField(
        "Share my contact details with exhibitors who scan my badge")


class EditDetailsForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])


class WaitingListForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])


class VoucherForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(min=3, max=40)])
    kind = SelectField("Discount", choices=[SelectChoice(VoucherKind.PERCENT.value, "Percent"),
                                            SelectChoice(VoucherKind.FIXED.value,
                                                         "Fixed amount (sen)"),
                                            SelectChoice(VoucherKind.FREE.value, "Free pass")])
    value = IntegerField("Value", default=0, validators=[Optional(), NumberRange(min=0)],
                         description="Percent (1-100) or an amount in sen.")
    max_uses = IntegerField("Maximum uses", validators=[Optional(), NumberRange(min=1)])
    valid_from = DateTimeLocalField("Valid from", format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    valid_until = DateTimeLocalField("Valid until", format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])


class QuestionForm(FlaskForm):
    label = StringField("Question", validators=[DataRequired(), Length(max=300)])
    kind = SelectField("Kind", choices=[SelectChoice(QuestionKind.TEXT.value, "Text"),
                                        SelectChoice(QuestionKind.SINGLE.value, "Single choice"),
                                        SelectChoice(QuestionKind.MULTIPLE.value,
                                                     "Multiple choice"),
                                        SelectChoice(QuestionKind.COUNTRY.value, "Country"),
                                        SelectChoice(QuestionKind.YESNO.value, "Yes / no")])
    choices = TextAreaField("Choices (one per line)", validators=[Optional()])
    required = BooleanField("Required")


class SettingsForm(FlaskForm):
    tax_rate = StringField("Tax rate (%)", default="0",
                           validators=[DataRequired(), Regexp(r"^\d{1,3}(\.\d{1,2})?$")])
    tax_label = StringField("Tax name", default="SST", validators=[DataRequired(),
                                                                   Length(max=40)])
    hold_minutes = IntegerField("Unpaid checkout holds a place for (minutes)", default=30,
                                validators=[DataRequired(), NumberRange(min=1, max=10080)])
    invoice_days = IntegerField("Bank transfers are due within (days)", default=14,
                                validators=[DataRequired(), NumberRange(min=1, max=365)])
    offer_hours = IntegerField("Waiting-list offers are valid for (hours)", default=48,
                               validators=[DataRequired(), NumberRange(min=1, max=720)])
    edit_cutoff = DateTimeLocalField("Delegates may edit their details until",
                                     format="%Y-%m-%dT%H:%M", validators=[Optional()])
    seller_name = StringField("Seller on receipts", validators=[Optional(), Length(max=200)])
    seller_tax_id = StringField("Tax registration number", validators=[Optional(),
                                                                       Length(max=60)])
    bank_details = TextAreaField("Bank details for invoices", validators=[Optional()],
                                 render_kw={"rows": 4})


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired()],
                     description="UTF-8 with columns email, full_name, organisation, job_title, "
                                 "country, pass_type (the pass type's code).")
