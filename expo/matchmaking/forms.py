"""Forms: projects, investor theses, meeting requests, slots, taxonomy and settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import FOLLOW_UP_LABELS
from .scoring import INSTRUMENTS, STAGES


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _stage_choices():
    return [SelectChoice(s, s.capitalize()) for s in STAGES]


def _instrument_choices():
    return [SelectChoice(i, i if i == "PPP" else i.capitalize()) for i in INSTRUMENTS]


MONEY_HELP = "In millions or thousands, e.g. 12m, 500k or 2,500,000."


class ProjectForm(FlaskForm):
    title = StringField("Project title", validators=[DataRequired(), Length(min=3, max=200)])
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(min=20, max=5000)],
                            render_kw={"rows": 5},
                            description="What it does, for whom, and what the money is for.")
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)],
                               description="e.g. Penang Island City Council (MBPP).")
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    state = StringField("State or province", validators=[Optional(), Length(max=100)])
    country = StringField("Country", validators=[DataRequired(), Length(max=100)],
                          default="Malaysia")
    policy_ids = CheckboxList("Policies it serves", coerce=int, validators=[Optional()])
    sectors = StringField("Sectors", validators=[Optional(), Length(max=400)],
                          description="Comma-separated, e.g. mobility, iot, water.")
    stage = SelectField("Stage", validators=[DataRequired()])
    funding_min = StringField("Funding sought: from", validators=[DataRequired()],
                              description=MONEY_HELP)
    funding_max = StringField("Funding sought: up to", validators=[DataRequired()])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)],
                           default="MYR")
    instruments = CheckboxList("Instruments you would take", validators=[Optional()])
    links = TextAreaField("Links", validators=[Optional(), Length(max=1600)],
                          render_kw={"rows": 2}, description="One web address per line.")

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_ids.choices = [SelectChoice(p.id, p.label) for p in policies]
        self.stage.choices = _stage_choices()
        self.instruments.choices = _instrument_choices()


class ThesisForm(FlaskForm):
    organisation = StringField("Organisation", validators=[DataRequired(), Length(max=200)])
    investor_type = SelectField("Kind of investor", validators=[DataRequired()])
    policy_ids = CheckboxList("Policies you back", coerce=int, validators=[Optional()],
                              description="None ticked: open to every policy.")
    sectors = StringField("Sectors", validators=[Optional(), Length(max=400)],
                          description="Comma-separated, e.g. mobility, energy, water.")
    stages = CheckboxList("Stages", validators=[Optional()])
    ticket_min = StringField("Ticket size: from", validators=[DataRequired()],
                             description=MONEY_HELP)
    ticket_max = StringField("Ticket size: up to", validators=[DataRequired()])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)],
                           default="MYR")
    instruments = CheckboxList("Instruments", validators=[Optional()])
    geographies = StringField("Geographies", validators=[Optional(), Length(max=400)],
                              description="Comma-separated cities, states or countries; "
                                          "“ASEAN” for the whole region.")
    thesis = TextAreaField("Investment thesis", validators=[Optional(), Length(max=5000)],
                           render_kw={"rows": 5})

    def __init__(self, *args, policies=(), investor_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_ids.choices = [SelectChoice(p.id, p.label) for p in policies]
        self.investor_type.choices = [SelectChoice(t, t.capitalize()) for t in investor_types]
        self.stages.choices = _stage_choices()
        self.instruments.choices = _instrument_choices()


class RequestForm(FlaskForm):
    message = TextAreaField("Message", validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 3,
                                       "placeholder": "Why you would like to meet, in a line "
                                                      "or two."})


class FollowUpForm(FlaskForm):
    follow_up = SelectField("Follow-up", validators=[DataRequired()],
                            choices=[SelectChoice(k.value, v) for k, v in
                                     FOLLOW_UP_LABELS.items()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


class SlotSeriesForm(FlaskForm):
    days = CheckboxList("Days", validators=[DataRequired(message="Choose at least one day.")])
    start = TimeField("From", validators=[DataRequired()])
    end = TimeField("Until", validators=[DataRequired()])
    minutes = IntegerField("Minutes per meeting", default=20,
                           validators=[DataRequired(), NumberRange(min=5, max=240)])
    gap_minutes = IntegerField("Changeover (minutes)", default=0,
                               validators=[Optional(), NumberRange(min=0, max=120)])
    tables = IntegerField("Tables", default=20,
                          validators=[DataRequired(), NumberRange(min=1, max=1000)])
    location = StringField("Where", default="Business-matching lounge",
                           validators=[DataRequired(), Length(max=120)])


class SettingsForm(FlaskForm):
    pending_cap = IntegerField("Pending requests per person", default=10,
                               validators=[DataRequired(), NumberRange(min=1, max=500)])
    scheduler_seconds = IntegerField("Scheduler time limit (seconds)", default=30,
                                     validators=[DataRequired(), NumberRange(min=5, max=600)])


class FrameworkForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=32)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


class PolicyForm(FlaskForm):
    framework_id = SelectField("Framework", coerce=int, validators=[DataRequired()])
    name = StringField("Part name", validators=[DataRequired(), Length(max=200)])


class LinkForm(FlaskForm):
    policy_a_id = SelectField("Part", coerce=int, validators=[DataRequired()])
    policy_b_id = SelectField("Linked to", coerce=int, validators=[DataRequired()])


class ModerateForm(FlaskForm):
    note = StringField("Note to the owner", validators=[Optional(), Length(max=500)])


class DateOnlyForm(FlaskForm):
    day = DateField("Day", validators=[Optional()])
