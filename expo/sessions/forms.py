"""Forms for rooms, tracks, speakers, talks, moves and publishing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from .models import KIND_LABELS, SpeakerRole


class RoomForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    capacity = IntegerField("Capacity (seats)", validators=[Optional(), NumberRange(min=0)])
    floor = StringField("Floor", validators=[Optional(), Length(max=40)])
    accessibility = StringField("Accessibility notes", validators=[Optional(), Length(max=300)])
    opens_at = TimeField("Opens", validators=[Optional()])
    closes_at = TimeField("Closes", validators=[Optional()])


class TrackForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    colour = StringField("Colour", default="#0B5D7A",
                         validators=[DataRequired(), Regexp(r"^#[0-9A-Fa-f]{6}$",
                                                            message="Use #RRGGBB.")])
    pillar = SelectField("Pillar", validators=[Optional()])


class SpeakerForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", description="Links the speaker to their account when one exists.",
                       validators=[Optional(), Length(max=254)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Title", validators=[Optional(), Length(max=200)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    photo_url = StringField("Photo (web address)", validators=[Optional(), Length(max=500)])
    bio = TextAreaField("Biography", validators=[Optional(), Length(max=5000)])


class AvailabilityForm(FlaskForm):
    day = DateField("Day", validators=[DataRequired()])
    start = TimeField("From", validators=[DataRequired()])
    end = TimeField("To", validators=[DataRequired()])


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]


class PersonForm(Form):
    """One row of a talk's people: a speaker and their role (an empty row is ignored)."""

    speaker_id = SelectField("Speaker", validators=[Optional()])
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize())
                                        for r in SpeakerRole])


class TalkForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    kind = SelectField("Kind", choices=kind_choices())
    track_id = SelectField("Track", validators=[Optional()])
    room_id = SelectField("Room", validators=[Optional()])
    day = DateField("Day", validators=[DataRequired()])
    start = TimeField("Starts", validators=[DataRequired()])
    end = TimeField("Ends", validators=[DataRequired()])
    capacity = IntegerField("Seats for sign-up", description="Leave empty when open to all.",
                            validators=[Optional(), NumberRange(min=0)])
    abstract = TextAreaField("Abstract", validators=[Optional(), Length(max=10000)])
    people = FieldList(FormField(PersonForm), min_entries=0)
    meeting_point = StringField("Meeting point (site visits)", validators=[Optional()])
    destination = StringField("Destination (site visits)", validators=[Optional()])
    departs = TimeField("Bus departs", validators=[Optional()])
    returns = TimeField("Bus returns", validators=[Optional()])
    buses = IntegerField("Buses", validators=[Optional(), NumberRange(min=1)])
    seats_per_bus = IntegerField("Seats per bus", validators=[Optional(), NumberRange(min=1)])
    eligible_pass_types = SelectMultipleField(
        "Eligible pass types", coerce=int, validators=[Optional()],
        description="Only holders of these passes may sign up; select none to open it to all.")
    allow_conflicts = BooleanField("Save even with scheduling conflicts")


class MoveForm(FlaskForm):
    day = SelectField("Day")
    room_id = SelectField("Room")
    start = TimeField("Start time", validators=[DataRequired()])


class PublishForm(FlaskForm):
    note = StringField("Note for this version", validators=[Optional(), Length(max=300)])
    override = BooleanField("Publish despite the conflicts (recorded in the audit log)")


class TalkGateForm(FlaskForm):
    """One click on a site visit's page: a boarding gate for one bus (or a session's door)."""

    bus = IntegerField("Bus", validators=[Optional(), NumberRange(min=1, max=99)])


class RoomGateForm(FlaskForm):
    """A scanner at a room's door; the zone's pass types decide who enters."""

    room = SelectField("Room", validators=[DataRequired()])
    zone = SelectField("Zone (whose passes enter)", validators=[DataRequired()],
                       description="The door belongs to this check-in zone; the pass types "
                                   "that open it may enter.")
